package search

import (
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
// Bleve keeps them until every merge of its plan is in. Let go of, a
// segment's pages are mapped again only when read (a query maps what it
// reads); they stay in the page cache.
//
// The segments are zap's own: its merges and the bitmap pass (bitpass.go)
// need zap's types.
type unmappingZap struct{ zap.ZapPlugin }

func (p *unmappingZap) Open(path string) (segment.Segment, error) {
	return unmapped(p.ZapPlugin.Open(path))
}

func (p *unmappingZap) OpenUsing(path string, config map[string]any) (segment.Segment, error) {
	return unmapped(p.ZapPlugin.OpenUsing(path, config))
}

// unmapped: a segment just opened is the caller's alone.
func unmapped(s segment.Segment, err error) (segment.Segment, error) {
	if z, ok := s.(*zap.Segment); ok && err == nil {
		unmapPages(z.Data())
	}
	return s, err
}

func (p *unmappingZap) Merge(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter) ([][]uint64, uint64, error) {
	defer unmapSources(segs)
	return p.ZapPlugin.Merge(segs, drops, path, closeCh, s)
}

func (p *unmappingZap) MergeUsing(segs []segment.Segment, drops []*roaring.Bitmap, path string,
	closeCh chan struct{}, s segment.StatsReporter, config map[string]any) ([][]uint64, uint64, error) {
	defer unmapSources(segs)
	return p.ZapPlugin.MergeUsing(segs, drops, path, closeCh, s, config)
}

// unmapSources: a merge's sources are held (by the merger's snapshot) until
// it returns, and after. Sources built in memory (the persister merges
// those) are heap, not zap.Segments, and left alone.
func unmapSources(segs []segment.Segment) {
	for _, s := range segs {
		if z, ok := s.(*zap.Segment); ok {
			unmapPages(z.Data())
		}
	}
}

// Registered as the default, in the place of zap 17's own: an index's
// segments are of the same type and version as before.
func init() { scorch.RegisterSegmentPlugin(&unmappingZap{}, true) }
