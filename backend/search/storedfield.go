package search

import (
	"context"
	"strings"
	"sync/atomic"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/mapping"
	"github.com/blevesearch/bleve/v2/search"
	"github.com/blevesearch/bleve/v2/search/query"
	"github.com/blevesearch/bleve/v2/search/searcher"
	index "github.com/blevesearch/bleve_index_api"
	segment "github.com/blevesearch/scorch_segment_api/v2"
)

// storedFields are keyword fields whose value a document keeps stored,
// folded as the field's analyzer folds it into its one term, and, in an
// index the service opens (Options.Columns, not AllFields), does not
// index (mapping 20). A request id is unique to an event or a few: a term
// of one document, with its dictionary entry, built and merged again and
// again, costs an import what the time's term did (timefield.go).
//
// A term on such a field is answered from the stored values: an exact
// value by the free text's phrase of it (the free text holds every
// request id, freeText), each of its hits then tested by its stored
// value; a wildcard, a regular expression, a prefix or a fuzzy term by
// testing every document's value, within the documents the rest of the
// query leaves (~0.1 s a million). Bleve's searcher does the same through
// storedQuery. An index of the reference keeps the terms and answers by
// them; TestStoredFieldsAnswerAsTheIndex and FuzzStoredRequests hold the
// two to the same hits.
var storedFields = map[string]bool{"request": true}

// storedField is a stored field: its value, and no term.
type storedField struct {
	name  string
	value []byte
}

var _ document.Field = (*storedField)(nil)

func (f *storedField) Name() string                                     { return f.name }
func (f *storedField) Value() []byte                                    { return f.value }
func (f *storedField) ArrayPositions() []uint64                         { return nil }
func (f *storedField) EncodedFieldType() byte                           { return 't' }
func (f *storedField) NumPlainTextBytes() uint64                        { return uint64(len(f.value)) }
func (f *storedField) AnalyzedLength() int                              { return 0 }
func (f *storedField) Options() index.FieldIndexingOptions              { return index.StoreField }
func (f *storedField) AnalyzedTokenFrequencies() index.TokenFrequencies { return nil }
func (f *storedField) Analyze()                                         {}

func (f *storedField) Size() int {
	return int(unsafe.Sizeof(*f)) + len(f.name) + len(f.value)
}

// folded is value as a keyword analyzer makes it its one term (the single
// tokenizer gives the whole value, the lower-case filter lowers it): an
// ASCII value by its bytes, any other by the analyzer.
func folded(a analysis.Analyzer, value string) []byte {
	out := []byte(value)
	for i, c := range out {
		switch {
		case c >= 0x80:
			if tokens := a.Analyze([]byte(value)); len(tokens) == 1 {
				return tokens[0].Term
			}
			return nil
		case 'A' <= c && c <= 'Z':
			out[i] = c + 'a' - 'A'
		}
	}
	return out
}

// storedQuery is a term on a stored field: its candidates' documents (nil:
// every document) whose stored value the term accepts (fieldMatch).
type storedQuery struct {
	field      string
	q          query.Query // the term, as the query string made it
	candidates query.Query
	reads      *atomic.Uint64 // counts the stored values read (the index's storedReads)
}

// storedPart is q as a storedQuery where it is a term on a stored field.
// An exact value's candidates are the free text's phrase of it, as a
// query without a field is compiled (spread, shareParts), where the
// phrase surely holds the value: its text is ASCII (words cut from a value
// lower-cased are those of the value), of words, and one value.
func (x *Index) storedPart(q query.Query) (*storedQuery, bool, error) {
	fq, ok := q.(query.FieldableQuery)
	if !ok || !storedFields[fq.Field()] {
		return nil, false, nil
	}
	sq := &storedQuery{field: fq.Field(), q: q, reads: &x.storedReads}
	t, ok := q.(*query.TermQuery)
	if !ok || strings.IndexByte(t.Term, valueSep) >= 0 {
		return sq, true, nil
	}
	for _, c := range []byte(t.Term) {
		if c >= 0x80 {
			return sq, true, nil
		}
	}
	m := x.idx.Mapping()
	if a := freeAnalyzer("", m); a == nil || len(a.Analyze([]byte(t.Term))) == 0 {
		return sq, true, nil
	}
	cand, err := x.shareParts(context.Background(), spread(query.NewMatchPhraseQuery(t.Term), m))
	if err != nil {
		return nil, false, err
	}
	sq.candidates = cand
	return sq, true, nil
}

// storedParts is q with each term on a stored field a storedQuery, for an
// index whose documents do not index those fields.
func (x *Index) storedParts(q query.Query) (query.Query, error) {
	var err error
	var walk func(query.Query) query.Query
	walk = func(q query.Query) query.Query {
		eachPart(q, walk)
		sq, ok, serr := x.storedPart(q)
		if serr != nil && err == nil {
			err = serr
		}
		if !ok || serr != nil {
			return q
		}
		return sq
	}
	q = walk(q)
	return q, err
}

// Searcher is Bleve's: the candidates' searcher, filtered by each hit's
// stored value; the term's own match-none searcher where it has one.
func (s *storedQuery) Searcher(ctx context.Context, i index.IndexReader, m mapping.IndexMapping, options search.SearcherOptions) (search.Searcher, error) {
	match, none, err := fieldMatch(i, m, s.q)
	if err != nil {
		return nil, err
	}
	if none {
		return searcher.NewMatchNoneSearcher(i)
	}
	segs, err := newSnapshotSegs(i)
	if err != nil {
		return nil, err
	}
	var base search.Searcher
	if s.candidates != nil {
		base, err = s.candidates.Searcher(ctx, i, m, options)
	} else {
		base, err = searcher.NewMatchAllSearcher(ctx, i, 1, options)
	}
	if err != nil {
		return nil, err
	}
	r := newStoredReader(s.field, s.reads)
	return searcher.NewFilteringSearcher(ctx, base, func(_ *search.SearchContext, d *search.DocumentMatch) bool {
		ss, local, err := segs.locate(docNum(d.IndexInternalID))
		if err != nil {
			return false
		}
		v, has, err := r.read(ss, local)
		return err == nil && has && match(v)
	}), nil
}

// stored is the documents of a term on a stored field within those of
// within (every live one where nil): its candidates' documents whose
// stored value it accepts. none as fieldMatch says.
func (b *bitHits) stored(sq *storedQuery, within segBits) (segBits, bool, bool, error) {
	match, none, err := fieldMatch(b.snap, b.m, sq.q)
	if err != nil || none {
		return nil, none, err == nil, err
	}
	cands := within
	if sq.candidates != nil {
		c, cnone, ok, err := b.evalWithin(sq.candidates, within)
		if err != nil || !ok {
			return nil, false, ok, err
		}
		if cnone {
			return b.empty(), false, true, nil
		}
		if within != nil {
			c = b.and([]segBits{c, within})
		}
		cands = c
	}
	r := newStoredReader(sq.field, sq.reads)
	bits := make(segBits, len(b.segs))
	for i, ss := range b.segs {
		var cand *roaring.Bitmap
		if cands != nil {
			cand = cands[i]
		} else {
			cand = live(ss)
		}
		kept := roaring.New()
		it := cand.Iterator()
		for it.HasNext() {
			local := it.Next()
			v, has, err := r.read(ss, uint64(local))
			if err != nil {
				return nil, false, false, err
			}
			if has && match(v) {
				kept.Add(local)
			}
		}
		bits[i] = kept
	}
	return bits, false, true, nil
}

// storedOf is q as a storedQuery where it is one, or a term on a stored
// field of an index the service opened (the reference's index answers by
// its terms).
func (b *bitHits) storedOf(q query.Query) (*storedQuery, bool, error) {
	if sq, ok := q.(*storedQuery); ok {
		return sq, true, nil
	}
	if b.x.cols == nil {
		return nil, false, nil
	}
	return b.x.storedPart(q)
}

// namesStoredField is whether a part of q is a term on a stored field.
func namesStoredField(q query.Query) bool { return namesField(q, storedFields) }

// storedReader reads one stored field of documents.
type storedReader struct {
	field string
	value string
	has   bool
	visit segment.StoredFieldValueVisitor
	reads *atomic.Uint64
}

func newStoredReader(field string, reads *atomic.Uint64) *storedReader {
	r := &storedReader{field: field, reads: reads}
	r.visit = func(name string, _ byte, value []byte, _ []uint64) bool {
		if name != r.field {
			return true
		}
		r.value, r.has = string(value), true
		return false
	}
	return r
}

// read is the stored value of document local of ss (has false: none).
func (r *storedReader) read(ss *scorch.SegmentSnapshot, local uint64) (value string, has bool, err error) {
	r.value, r.has = "", false
	r.reads.Add(1)
	if err := ss.VisitDocument(local, r.visit); err != nil {
		return "", false, err
	}
	return r.value, r.has, nil
}
