package search

import (
	"encoding/binary"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"testing"
	"unsafe"

	"github.com/RoaringBitmap/roaring/v2"
	segment "github.com/blevesearch/scorch_segment_api/v2"
	zap "github.com/blevesearch/zapx/v17"

	"auditlens/backend/audit"
)

// A segment opened from its file keeps none of its pages mapped: those
// zap's Open read are let go of (segments.go). A query maps again what it
// reads, and finds what it found before. Bleve's update check of an
// import's new keys maps none. A merge lets go of its sources'
// pages, and makes the segment zap's own merge makes.
func TestSegmentsKeepNoPagesMapped(t *testing.T) {
	var evs []*audit.Event
	for i := range 3000 {
		evs = append(evs, ev(fmt.Sprint("e", i), fmt.Sprintf("2026-03-01T%02d:%02d:%02dZ", i/3600, i/60%60, i%60),
			"user.login", "Ann Lee", fmt.Sprintf(`{"w":"word%d common"}`, i)))
	}
	x, snap := reopenedSegments(t, evs, 0, 1000, 2000, 3000)
	var mapped [][]byte
	for _, ss := range snap.Segments() {
		m, ok := ss.Segment().(interface{ Data() []byte })
		if !ok {
			t.Fatalf("a segment of %T", ss.Segment())
		}
		mapped = append(mapped, m.Data())
	}
	if len(mapped) != 3 {
		t.Fatalf("%d segments", len(mapped))
	}
	for i, m := range mapped {
		if n := mappedPages(t, m); n != 0 {
			t.Errorf("segment %d (%d KiB): %d pages mapped after opening", i, len(m)>>10, n)
		}
	}
	// Bleve's update check, as an import's batch asks it: keys above them all.
	for i, ss := range snap.Segments() {
		for range 2 {
			if got, err := ss.Segment().DocNumbers([]string{DocKey(3001), DocKey(3002)}); err != nil || !got.IsEmpty() {
				t.Fatalf("segment %d: %v %v", i, got, err)
			}
		}
		if n := mappedPages(t, mapped[i]); n != 0 {
			t.Errorf("segment %d: %d pages mapped after the update check", i, n)
		}
	}
	res, err := x.Search(audit.Query{Text: "word1500 word2"})
	if err != nil || res.Total != 2 {
		t.Fatalf("%v: %d hits", err, res.Total)
	}
	read := 0
	for _, m := range mapped {
		read += mappedPages(t, m)
	}
	if read == 0 {
		t.Error("the query mapped no page: the count reads nothing")
	}

	var segs []segment.Segment
	for i, m := range mapped {
		sum := 0
		for p := 0; p < len(m); p += os.Getpagesize() {
			sum += int(m[p]) // (every page mapped)
		}
		if n, all := mappedPages(t, m), (len(m)+os.Getpagesize()-1)/os.Getpagesize(); n != all {
			t.Fatalf("segment %d: %d of %d pages mapped after reading each (%d)", i, n, all, sum)
		}
		segs = append(segs, snap.Segments()[i].Segment())
	}
	drops := []*roaring.Bitmap{roaring.BitmapOf(0), nil, roaring.BitmapOf(5, 6)}
	ours, theirs := filepath.Join(t.TempDir(), "ours.zap"), filepath.Join(t.TempDir(), "theirs.zap")
	if _, _, err := (&unmappingZap{}).Merge(segs, drops, ours, nil, nil); err != nil {
		t.Fatal(err)
	}
	for i, m := range mapped {
		if n := mappedPages(t, m); n != 0 {
			t.Errorf("segment %d: %d pages mapped after a merge of it", i, n)
		}
	}
	if _, _, err := (&zap.ZapPlugin{}).Merge(zapSegments(segs), drops, theirs, nil, nil); err != nil {
		t.Fatal(err)
	}
	a, b := postingCounts(t, ours), postingCounts(t, theirs)
	if len(a) < 3000 || !maps.Equal(a, b) {
		t.Fatalf("the merges differ: %d and %d terms", len(a), len(b))
	}
	if n := a["text\x00common"]; n != 3000-3 {
		t.Fatalf("%d documents of 3000 less 3 dropped", n)
	}
}

// postingCounts opens the segment at path and gives the number of
// documents of each field's terms ("field\x00term").
func postingCounts(t *testing.T, path string) map[string]uint64 {
	t.Helper()
	s, err := (&unmappingZap{}).Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	counts := map[string]uint64{}
	for _, field := range s.Fields() {
		dict, err := s.Dictionary(field)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range dictEntries(t, dict) {
			counts[field+"\x00"+e.Term] = e.Count
		}
	}
	return counts
}

// mappedPages counts the pages of b this process has mapped (the present
// bit of each page's entry in /proc/self/pagemap).
func mappedPages(t *testing.T, b []byte) int {
	t.Helper()
	f, err := os.Open("/proc/self/pagemap")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	size := uintptr(os.Getpagesize())
	first := uintptr(unsafe.Pointer(unsafe.SliceData(b))) / size
	last := (uintptr(unsafe.Pointer(unsafe.SliceData(b))) + uintptr(len(b)) - 1) / size
	entries := make([]byte, 8*(last-first+1))
	if _, err := f.ReadAt(entries, int64(first*8)); err != nil {
		t.Skip(err)
	}
	n := 0
	for i := 0; i < len(entries); i += 8 {
		if binary.LittleEndian.Uint64(entries[i:])>>63 == 1 {
			n++
		}
	}
	return n
}
