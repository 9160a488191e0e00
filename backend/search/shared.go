package search

import (
	"context"
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
// values make most events' (a browser, an SDK, a version). Its ~9 words an
// event were a sixth of an import's segment builds (a scratch benchmark of
// 20k demo events analysed and built into segments of 1,000: 1.16 s, 0.96
// without the field). So a document holds the value's number (sharedIDField,
// a keyword) in place of its words, and the index keeps each distinct value
// once, under internal keys that travel in the batches of the documents
// that use it (sharedKey). A query's part on the user agent (a word, a
// phrase, a pattern, a fuzzy word; spread makes one of each bare word) is
// asked of the values, as documents of a small index in memory
// (sharedValues.mem), and becomes the disjunction of the numbers of the
// values it matches (shareParts). A document matches a part on one field
// exactly when that field's value does, so the hits are the same. The part
// is kept beside them for the values that are not shared: past
// maxSharedValues distinct values, or longer than maxSharedLen, a value is
// a field of words in its document as before. A part whose searcher would
// be Bleve's match-none (a stop word, a pattern no term matches), which a
// query string's conjunction leaves out, stays as it was when it is
// match-none over the shared values too. TestSharedValuesAsAField holds the
// hits to those of the field.

// sharedField is the field whose values are shared; sharedIDField holds a
// value's number in the documents.
const (
	sharedField   = "user_agent"
	sharedIDField = "user_agent_value"
)

// maxSharedValues bounds the distinct values shared (scorch writes every
// internal key at each persist), and maxSharedLen their length.
var (
	maxSharedValues = 4096
	maxSharedLen    = 512
)

// sharedKey is the internal key of value number id; sharedCountKey holds
// the greatest number given.
func sharedKey(id uint32) []byte {
	return []byte("auditlens.shared." + strconv.FormatUint(uint64(id), 10))
}

var sharedCountKey = []byte("auditlens.shared.n")

// sharedValues is an index's distinct values of sharedField.
type sharedValues struct {
	mu     sync.Mutex
	loaded bool
	ids    map[string]uint32
	values []string // by number - 1; "" for a number not read (yet)
	// mem is the values as documents of sharedField, keyed by number, for
	// queries; memN how many of values it holds.
	mem  bleve.Index
	memN int
}

// load reads the values the index holds that are not read yet (another
// process may have added some).
func (s *sharedValues) load(x *Index) error {
	v, err := x.idx.GetInternal(sharedCountKey)
	if err != nil {
		return err
	}
	n, _ := strconv.ParseUint(string(v), 10, 32)
	if s.ids == nil {
		s.ids = map[string]uint32{}
	}
	for len(s.values) < int(n) {
		s.values = append(s.values, "")
	}
	for i, v := range s.values {
		if v != "" {
			continue
		}
		// A number whose batch failed may be given its value by a later one.
		b, err := x.idx.GetInternal(sharedKey(uint32(i + 1)))
		if err != nil {
			return err
		}
		if len(b) > 0 {
			s.values[i] = string(b)
			s.ids[s.values[i]] = uint32(i + 1)
		}
	}
	s.loaded = true
	return nil
}

// id is value's number, given now if it is new and there is room; ok is
// false for a value that is not shared.
func (s *sharedValues) id(x *Index, value string) (id uint32, ok bool, err error) {
	if len(value) > maxSharedLen {
		return 0, false, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded {
		if err := s.load(x); err != nil {
			return 0, false, err
		}
	}
	if id, ok := s.ids[value]; ok {
		return id, true, nil
	}
	if len(s.ids) >= maxSharedValues {
		return 0, false, nil
	}
	s.values = append(s.values, value)
	id = uint32(len(s.values))
	s.ids[value] = id
	return id, true, nil
}

// close lets go of the values' index in memory.
func (s *sharedValues) close() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mem != nil {
		s.mem.Close()
		s.mem, s.memN = nil, 0
	}
}

// count is the greatest number given.
func (s *sharedValues) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.values)
}

// shareValue is the number of value (a user agent) for the batch's
// document, and puts the number's value in the batch when it is new to it;
// "": the value is not shared.
func (b *Batch) shareValue(value string) (string, error) {
	id, ok, err := b.x.shared.id(b.x, value)
	if err != nil || !ok {
		return "", err
	}
	if b.sharedIDs == nil {
		b.sharedIDs = map[uint32]bool{}
	}
	if !b.sharedIDs[id] {
		b.sharedIDs[id] = true
		b.b.SetInternal(sharedKey(id), []byte(value))
		b.b.SetInternal(sharedCountKey, []byte(strconv.Itoa(b.x.shared.count())))
	}
	return strconv.FormatUint(uint64(id), 10), nil
}

// matching is the numbers of the values q (a query on sharedField)
// matches, and whether its searcher over them is match-none.
func (s *sharedValues) matching(ctx context.Context, x *Index, q query.Query) (ids []string, none bool, err error) {
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
	if s.memN < len(s.values) {
		b := s.mem.NewBatch()
		for i := s.memN; i < len(s.values); i++ {
			if s.values[i] != "" {
				d := docBuilder{document.NewDocument(strconv.Itoa(i + 1)), x.fields}
				d.add(sharedField, nil, s.values[i])
				if err := b.IndexAdvanced(d.Document); err != nil {
					return nil, false, err
				}
			}
		}
		if err := s.mem.Batch(b); err != nil {
			return nil, false, err
		}
		s.memN = len(s.values)
	}
	adv, err := s.mem.Advanced()
	if err != nil {
		return nil, false, err
	}
	r, err := adv.Reader()
	if err != nil {
		return nil, false, err
	}
	defer r.Close()
	sr, err := q.Searcher(ctx, r, x.idx.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return nil, false, err
	}
	defer sr.Close()
	if _, ok := sr.(*searcher.MatchNoneSearcher); ok {
		return nil, true, nil
	}
	sctx := &search.SearchContext{DocumentMatchPool: search.NewDocumentMatchPool(sr.DocumentMatchPoolSize(), 0)}
	for {
		m, err := sr.Next(sctx)
		if err != nil {
			return nil, false, err
		}
		if m == nil {
			break
		}
		id, err := r.ExternalID(m.IndexInternalID)
		if err != nil {
			return nil, false, err
		}
		ids = append(ids, id)
		sctx.DocumentMatchPool.Put(m)
	}
	return ids, false, nil
}

// shareParts is q with each part on sharedField made that part or the
// numbers of the values it matches (see above).
func (x *Index) shareParts(ctx context.Context, q query.Query) (query.Query, error) {
	var err error
	var walk func(query.Query) query.Query
	walk = func(q query.Query) query.Query {
		eachPart(q, walk)
		f, ok := q.(query.FieldableQuery)
		if !ok || f.Field() != sharedField || err != nil {
			return q
		}
		var ids []string
		var none bool
		if ids, none, err = x.shared.matching(ctx, x, q); err != nil || (none && x.matchesNone(ctx, q)) {
			return q
		}
		parts := []query.Query{q}
		for _, id := range ids {
			t := query.NewTermQuery(id)
			t.SetField(sharedIDField)
			parts = append(parts, t)
		}
		if len(ids) == 0 { // (a part matching nothing is not match-none)
			t := query.NewTermQuery("0")
			t.SetField(sharedIDField)
			parts = append(parts, t)
		}
		return query.NewDisjunctionQuery(parts)
	}
	q = walk(q)
	return q, err
}

// matchesNone is whether q's searcher over the index is match-none.
func (x *Index) matchesNone(ctx context.Context, q query.Query) bool {
	adv, err := x.idx.Advanced()
	if err != nil {
		return false
	}
	r, err := adv.Reader()
	if err != nil {
		return false
	}
	defer r.Close()
	sr, err := q.Searcher(ctx, r, x.idx.Mapping(), search.SearcherOptions{Score: "none"})
	if err != nil {
		return false
	}
	defer sr.Close()
	_, ok := sr.(*searcher.MatchNoneSearcher)
	return ok
}
