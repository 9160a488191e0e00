package search

import (
	"context"
	"encoding/binary"
	"fmt"
	"strconv"
	"sync"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
)

// The user agent is a field of words with positions, and a few dozen
// values make most events' (a browser, an SDK, a version: 12 in the 1M demo
// trail). Its ~9 words an event were a sixth of an import's segment builds
// (a scratch benchmark of 20k demo events analysed and built into segments
// of 1,000: 1.16 s, 0.96 without the field). So a document holds the
// value's number (a keyword field, sharedFields) in place of its words, and
// the index keeps each distinct value once, in internal keys written in the
// batches of the documents that use it. A query's part on the field (a
// word, a phrase, a pattern, a fuzzy word; spread makes one of each bare
// word) is asked of the values, as documents of a small index in memory
// (shared.mem), and becomes the disjunction of the numbers of the values it
// matches (shareParts). A document matches a part on one field of one
// value exactly when that value does, so the hits are the same. The part
// is kept beside them for values that are not shared: past
// maxSharedValues distinct values, or longer than maxSharedLen, a value is
// a field of words in its document as before. A part whose searcher would
// be Bleve's match-none (a stop word, a pattern no term matches), which a
// query string's conjunction leaves out, stays as it was when it is
// match-none over the shared values too. TestSharedValuesAsAField holds the
// hits to those of the field of words. (The actor's and targets' names
// shared so made no difference a 250k import could measure: four
// alternated runs each, user CPU 25.2-27.0 s against 22.6-28.4.)

// sharedFields are the fields whose values are shared, each with the
// keyword field that holds a value's number. A field of several values
// (the targets' names) would need a match query of several words that must
// all be there taken apart first: its words may be in two values.
var sharedFields = map[string]string{"user_agent": "user_agent_value"}

// maxSharedValues bounds the distinct values a field shares, and
// maxSharedLen their length: scorch writes every internal key again at
// each persist: at most 64 keys of sharedChunk values.
var (
	maxSharedValues = 4096
	maxSharedLen    = 512
)

// sharedChunk is how many values one internal key holds.
const sharedChunk = 64

// sharedKey is the internal key of a field's chunk of values (c: values
// c*sharedChunk+1 on), the values one after another, each a uvarint length
// and its bytes.
func sharedKey(field string, c int) []byte {
	return []byte("auditlens.shared." + field + "." + strconv.Itoa(c))
}

// sharedCountKey is the internal key of how many chunks of the field's
// values there are (put with every chunk).
func sharedCountKey(field string) []byte { return []byte("auditlens.shared." + field + ".chunks") }

// sharedValues are an index's shared values of one field.
type sharedValues struct {
	field  string
	values []string // by number - 1
	ids    map[string]uint32
}

// readChunks reads the field's values from the index. (Only the process
// that has the index open writes it: values read once stay all there are,
// but for those it gives.) A chunk whose every batch failed is missing, and
// one may be short: their numbers are left without a value ("", which no
// value is given), never taken by the values after them.
func (s *sharedValues) readChunks(x *Index) error {
	v, err := x.idx.GetInternal(sharedCountKey(s.field))
	if err != nil {
		return err
	}
	chunks, _ := strconv.Atoi(string(v))
	for c := range chunks {
		b, err := x.idx.GetInternal(sharedKey(s.field, c))
		if err != nil {
			return err
		}
		s.values = append(s.values, make([]string, c*sharedChunk-len(s.values))...)
		for len(b) > 0 {
			n, k := binary.Uvarint(b)
			if k <= 0 || n > uint64(len(b)-k) {
				return fmt.Errorf("the search index's shared values of %s are damaged", s.field)
			}
			s.values = append(s.values, string(b[k:k+int(n)]))
			s.ids[s.values[len(s.values)-1]] = uint32(len(s.values))
			b = b[k+int(n):]
		}
	}
	return nil
}

// chunk is chunk c encoded.
func (s *sharedValues) chunk(c int) []byte {
	var b []byte
	for _, v := range s.values[c*sharedChunk : min(len(s.values), (c+1)*sharedChunk)] {
		b = binary.AppendUvarint(b, uint64(len(v)))
		b = append(b, v...)
	}
	return b
}

// shared are an index's shared values, by field.
type shared struct {
	mu     sync.Mutex
	loaded bool
	fields map[string]*sharedValues
	// mem holds the values as documents, each of its field, keyed
	// "field/number", for queries; memN how many of each field it holds.
	mem  bleve.Index
	memN map[string]int
}

// load reads the values the index holds, once.
func (s *shared) load(x *Index) error {
	if s.loaded {
		return nil
	}
	s.fields, s.memN = map[string]*sharedValues{}, map[string]int{}
	for f := range sharedFields {
		s.fields[f] = &sharedValues{field: f, ids: map[string]uint32{}}
		if err := s.fields[f].readChunks(x); err != nil {
			s.fields = nil
			return err
		}
	}
	s.loaded = true
	return nil
}

// id is value's number in field, given now if it is new and there is
// room; 0 for a value that is not shared.
func (s *shared) id(x *Index, field, value string) (uint32, error) {
	if len(value) > maxSharedLen {
		return 0, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(x); err != nil {
		return 0, err
	}
	v := s.fields[field]
	if id, ok := v.ids[value]; ok {
		return id, nil
	}
	if len(v.values) >= maxSharedValues {
		return 0, nil
	}
	v.values = append(v.values, value)
	id := uint32(len(v.values))
	v.ids[value] = id
	return id, nil
}

// close lets go of the values' index in memory.
func (s *shared) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mem != nil {
		s.mem.Close()
		s.mem, s.memN = nil, map[string]int{}
	}
}

// share is the number of value of field for the batch's document (""
// when it is not shared), and puts the value's chunk in the batch when it
// is not yet there: every batch holds the values of the numbers it uses,
// so a batch that fails leaves no number without its value.
func (b *Batch) share(field, value string) string {
	if b.err != nil {
		return ""
	}
	id, err := b.x.shared.id(b.x, field, value)
	if err != nil {
		b.err = err
	}
	if id == 0 {
		return ""
	}
	if b.sharedChunks == nil {
		b.sharedChunks = map[sharedChunkKey]bool{}
	}
	b.sharedChunks[sharedChunkKey{field, int(id-1) / sharedChunk}] = true
	return strconv.FormatUint(uint64(id), 10)
}

// sharedChunkKey names a chunk of a field's values.
type sharedChunkKey struct {
	field string
	c     int
}

// putShared puts the chunks of the numbers the batch's documents use, as
// they are now (holding every value given since, too).
func (b *Batch) putShared() {
	if len(b.sharedChunks) == 0 {
		return
	}
	s := &b.x.shared
	s.mu.Lock()
	defer s.mu.Unlock()
	for k := range b.sharedChunks {
		v := s.fields[k.field]
		b.b.SetInternal(sharedKey(k.field, k.c), v.chunk(k.c))
		b.b.SetInternal(sharedCountKey(k.field), []byte(strconv.Itoa((len(v.values)+sharedChunk-1)/sharedChunk)))
	}
	b.sharedChunks = nil
}

// matching is the numbers of the values q (a query on field) matches, and
// whether its searcher over them is match-none.
func (s *shared) matching(ctx context.Context, x *Index, field string, q query.Query) (ids []string, none bool, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.load(x); err != nil {
		return nil, false, err
	}
	if s.mem == nil {
		if s.mem, err = bleve.NewUsing("", x.idx.Mapping(), scorch.Name, scorch.Name, nil); err != nil {
			return nil, false, err
		}
	}
	b := s.mem.NewBatch()
	for f, v := range s.fields {
		for i := s.memN[f]; i < len(v.values); i++ {
			d := docBuilder{Document: document.NewDocument(f + "/" + strconv.Itoa(i+1)), f: x.fields} // (shares nothing)
			d.add(f, nil, v.values[i])
			if err := b.IndexAdvanced(d.Document); err != nil {
				return nil, false, err
			}
		}
		s.memN[f] = len(v.values)
	}
	if b.Size() > 0 {
		if err := s.mem.Batch(b); err != nil {
			return nil, false, err
		}
	}
	r, err := snapshot(s.mem)
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	sr, err := q.Searcher(ctx, r, x.idx.Mapping(), searcherOptions)
	if err != nil {
		return nil, false, partError{err} // (a fuzziness past 2, a broken expression)
	}
	defer sr.Close()
	if _, ok := sr.(*searcher.MatchNoneSearcher); ok {
		return nil, true, nil
	}
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0)}
	for {
		m, err := sr.Next(sctx)
		if err != nil || m == nil {
			return ids, false, err
		}
		key, err := r.ExternalID(m.IndexInternalID)
		if err != nil {
			return nil, false, err
		}
		ids = append(ids, key[len(field)+1:])
		sctx.DocumentMatchPool.Put(m)
	}
}

// shareParts is q with each part on a shared field made that part or the
// numbers of the values it matches (see above).
func (x *Index) shareParts(ctx context.Context, q query.Query) (query.Query, error) {
	var err error
	var walk func(query.Query) query.Query
	walk = func(q query.Query) query.Query {
		eachPart(q, walk)
		f, ok := q.(query.FieldableQuery)
		if !ok || sharedFields[f.Field()] == "" || err != nil {
			return q
		}
		ids, none, merr := x.shared.matching(ctx, x, f.Field(), q)
		if _, ok := merr.(partError); ok {
			return q // (its search fails, as it did)
		}
		if err = merr; err != nil || (none && x.matchesNone(ctx, q)) {
			return q
		}
		parts := []query.Query{q}
		for _, id := range ids {
			t := query.NewTermQuery(id)
			t.SetField(sharedFields[f.Field()])
			parts = append(parts, t)
		}
		if len(ids) == 0 { // (a part matching nothing is not match-none)
			t := query.NewTermQuery("0")
			t.SetField(sharedFields[f.Field()])
			parts = append(parts, t)
		}
		return query.NewDisjunctionQuery(parts)
	}
	q = walk(q)
	return q, err
}

// partError is a query part's searcher failing, over the values as over
// the index: the part is left to fail when searched.
type partError struct{ error }

// matchesNone is whether q's searcher over the index is match-none.
func (x *Index) matchesNone(ctx context.Context, q query.Query) bool {
	r, err := snapshot(x.idx)
	if err != nil {
		return false
	}
	defer r.Close()
	sr, err := q.Searcher(ctx, r, x.idx.Mapping(), searcherOptions)
	if err != nil {
		return false
	}
	defer sr.Close()
	_, ok := sr.(*searcher.MatchNoneSearcher)
	return ok
}
