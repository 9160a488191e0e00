package search

import (
	"sync"

	"github.com/RoaringBitmap/roaring/v2"
	"github.com/blevesearch/bleve/v2/index/scorch"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"
)

// unmappingZap is Bleve's segment format (zap 17, the default), whose
// segments are read through a mapping of their file, but for one thing: a
// segment lets go of the pages it has mapped once it is opened, and a
// merge's sources once it is written.
//
// Zap's Open reads a dozen places of a segment (its footer, its fields, its
// doc values' offsets). Where the page cache holds a file in large folios
// (Linux 6.x, ext4: a file just written), one read maps its whole folio, up
// to 1 MiB, and the pages stay mapped, counted in the process's RSS, as long
// as the segment lives: ~12 MiB of each ~50 MiB segment. At 10M events the
// index has ~140 segments: an import's RSS grew past 1.8 GB, and opening the
// case mapped 1.6 GB before any query. A merge reads its sources whole, and
// Bleve keeps them until every merge of its plan is in. Once let go of, a
// segment's pages are mapped again only when read (a query maps what it
// reads); they stay in the page cache.
//
// A segment opened is zap's, with all its methods, in a keyedSegment
// (below); zap's merge is handed zap's own, the only ones it merges.
type unmappingZap struct{ zap.ZapPlugin }

func (p *unmappingZap) Open(path string) (segment.Segment, error) {
	return opened(p.ZapPlugin.Open(path))
}

func (p *unmappingZap) OpenUsing(path string, config map[string]any) (segment.Segment, error) {
	return opened(p.ZapPlugin.OpenUsing(path, config))
}

// opened: a segment just opened is the caller's alone.
func opened(s segment.Segment, err error) (segment.Segment, error) {
	z, ok := s.(*zap.Segment)
	if !ok || err != nil {
		return s, err
	}
	unmapPages(z.Data())
	return &keyedSegment{Segment: z}, nil
}

func (p *unmappingZap) Merge(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter) ([][]uint64, uint64, error) {
	defer unmapSources(segs)
	return p.ZapPlugin.Merge(zapSegments(segs), drops, path, closeCh, s)
}

func (p *unmappingZap) MergeUsing(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter, config map[string]any) ([][]uint64, uint64, error) {
	defer unmapSources(segs)
	return p.ZapPlugin.MergeUsing(zapSegments(segs), drops, path, closeCh, s, config)
}

// zapSegments: zap merges only its own types.
func zapSegments(segs []segment.Segment) []segment.Segment {
	out := make([]segment.Segment, len(segs))
	for i, s := range segs {
		if k, ok := s.(*keyedSegment); ok {
			s = k.Segment
		}
		out[i] = s
	}
	return out
}

// unmapSources: a merge's sources are held (by the merger's snapshot) until
// it returns, and after. Sources built in memory (the persister merges
// those) are heap, not segments opened from a file, and left alone.
func unmapSources(segs []segment.Segment) {
	for _, s := range segs {
		if k, ok := s.(*keyedSegment); ok {
			unmapPages(k.Data())
		}
	}
}

// keyedSegment is a segment opened from its file (zap's, whose methods it
// has) that knows its greatest document key. Every batch of an import asks
// each segment which of the batch's keys it holds (Bleve's update check,
// DocNumbers): zap looks a key up only when it is not above the segment's
// greatest, but reads that greatest from the key dictionary each time, which
// maps ~1 MiB of every segment again (large folios, above): at 10M, ~140
// segments kept ~300 MiB mapped. A document's key is its seq (DocKey), so
// an import's keys lie above every older segment's, and this segment reads
// its greatest key once.
type keyedSegment struct {
	*zap.Segment
	once     sync.Once
	greatest []byte
	err      error
}

// DocNumbers are the documents of ids, as zap's: the ids not above the
// segment's greatest key looked up.
func (s *keyedSegment) DocNumbers(ids []string) (*roaring.Bitmap, error) {
	s.once.Do(func() {
		var dict segment.TermDictionary
		if dict, s.err = s.Dictionary("_id"); s.err == nil {
			s.greatest, s.err = greatestTerm(dict)
		}
		unmapPages(s.Data()) // (held by the caller's snapshot)
	})
	if s.err != nil {
		return s.Segment.DocNumbers(ids)
	}
	var within []string
	for _, id := range ids {
		if id <= string(s.greatest) {
			within = append(within, id)
		}
	}
	if len(within) == 0 {
		return roaring.New(), nil
	}
	return s.Segment.DocNumbers(within)
}

// greatestTerm is the greatest term of a dictionary, nil when it has none,
// found byte by byte with seeks (is any term at or above a key?): the
// greatest term has the prefix found so far; it is that prefix when no term
// lies at or above the prefix and a zero byte, else its next byte is the
// greatest b with a term at or above the prefix and b.
func greatestTerm(dict segment.TermDictionary) ([]byte, error) {
	var key []byte
	atOrAbove := func(last byte) (bool, error) {
		seek := append(key[:len(key):len(key)], last)
		e, err := termsOf(dict, nil, seek, nil).Next()
		return e != nil, err
	}
	for {
		longer, err := atOrAbove(0)
		if err != nil || !longer {
			return key, err
		}
		lo, hi := 0, 255 // a term lies at or above key+lo
		for lo < hi {
			mid := (lo + hi + 1) / 2
			if ok, err := atOrAbove(byte(mid)); err != nil {
				return nil, err
			} else if ok {
				lo = mid
			} else {
				hi = mid - 1
			}
		}
		key = append(key, byte(lo))
	}
}

// Registered as the default, in the place of zap 17's own: an index's
// segments are of the same type and version as before.
func init() { scorch.RegisterSegmentPlugin(&unmappingZap{}, true) }
