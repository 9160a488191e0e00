package search

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"
	"unsafe"

	"github.com/blevesearch/bleve/v2/index/scorch"
	"github.com/blevesearch/bleve/v2/index/scorch/mergeplan"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// A piece zstd shrinks by an eighth is packed, and unpacks to its bytes;
// any other is written as it is and read in place (the same memory): an
// FST, a small piece, an incompressible one. A piece that begins as a
// packed one does is packed whatever it costs, and reads back as itself.
func TestPackPieces(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	noise := func(n int) []byte {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.Uint32())
		}
		return b
	}
	positions := bytes.Repeat([]byte{7, 1, 3, 0, 0, 0, 1, 9, 0, 0, 0}, 200)
	for name, c := range map[string]struct {
		piece  []byte
		packed bool
	}{
		"positions":               {positions, true},
		"an FST":                  {append(slices.Clone(fstHeader), positions...), false},
		"small":                   {positions[:packMin-1], false},
		"noise":                   {noise(4000), false},
		"noise marked":            {append(slices.Clone(packMark), noise(4000)...), true},
		"small marked":            {packMark, true},
		"positions marked":        {append(slices.Clone(packMark), positions...), true},
		"empty":                   {nil, false},
		"all but the mark's last": {append(slices.Clone(packMark[:4]), positions...), true},
	} {
		stored := pack(c.piece)
		if got := bytes.HasPrefix(stored, packMark); got != c.packed {
			t.Errorf("%s: packed %v", name, got)
		}
		if !c.packed && (len(stored) != len(c.piece) || len(c.piece) > 0 && unsafe.SliceData(stored) != unsafe.SliceData(c.piece)) {
			t.Errorf("%s: not written as it is", name)
		}
		if c.packed && len(c.piece) > 1000 && !bytes.HasPrefix(c.piece, packMark) && len(stored)*4 > len(c.piece) {
			t.Errorf("%s: %d bytes packed in %d", name, len(c.piece), len(stored))
		}
		back, err := unpack(stored)
		if err != nil || !bytes.Equal(back, c.piece) {
			t.Errorf("%s: unpacked %d bytes of %d, %v", name, len(back), len(c.piece), err)
		}
		if !c.packed && len(c.piece) > 0 && unsafe.SliceData(back) != unsafe.SliceData(stored) {
			t.Errorf("%s: not read in place", name)
		}
	}
	// A damaged packed piece is an error, never other bytes.
	stored := pack(positions)
	for i := len(packMark); i < len(stored); i++ {
		damaged := slices.Clone(stored)
		damaged[i] ^= 0x55
		if back, err := unpack(damaged); err == nil && !bytes.Equal(back, positions) {
			t.Fatalf("a piece damaged at %d of %d unpacked to other bytes", i, len(stored))
		}
	}
}

// Any bytes unpack to an error or to some bytes, never a panic.
func FuzzUnpack(f *testing.F) {
	f.Add(pack(bytes.Repeat([]byte("abcabc"), 100)))
	f.Add(packMark)
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, stored []byte) {
		_, _ = unpack(stored)
	})
}

// A batch's segment is written as it was built, never processed; a merge
// writes its segment packed, and the index answers the same from either,
// and from a segment of an index made before the hook (read as it is).
func TestBatchSegmentsWrittenAsBuilt(t *testing.T) {
	noMerges = true
	defer func() { noMerges = false }()
	dir := filepath.Join(t.TempDir(), "index")
	x, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	evs := unwrapTrail()
	third := len(evs) / 3
	// The first third as an index made without the hook wrote it.
	hook := index.WriterHook
	index.WriterHook = nil
	addSegments(t, x, evs, 0, third)
	index.WriterHook = hook
	addSegments(t, x, evs, third, 2*third, len(evs))
	packed := func() (files, marked int) {
		t.Helper()
		zaps, _ := filepath.Glob(filepath.Join(dir, "store", "*.zap"))
		for _, z := range zaps {
			b, err := os.ReadFile(z)
			if err != nil {
				t.Fatal(err)
			}
			files++
			if bytes.Contains(b, packMark) {
				marked++
			}
		}
		return files, marked
	}
	queries := []string{"", "payments", `"escalation policy"`, "pay*", "-payments", "renamd~1", "action:user.login"}
	answers := func() string {
		t.Helper()
		var out []string
		for _, q := range queries {
			var seqs []int64
			if _, err := x.EachSeq(audit.Query{Text: q}, func(seq int64) { seqs = append(seqs, seq) }); err != nil {
				t.Fatal(err)
			}
			slices.Sort(seqs)
			out = append(out, fmt.Sprint(q, seqs))
		}
		return fmt.Sprint(out)
	}
	if files, marked := packed(); files < 3 || marked != 0 {
		t.Fatalf("%d segments written, %d of them packed", files, marked)
	}
	before := answers()
	if len(before) < 1000 {
		t.Fatalf("too few hits to compare: %s", before)
	}
	s, err := x.idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	if err := s.(*scorch.Scorch).ForceMerge(t.Context(), &mergeplan.SingleSegmentMergePlanOptions); err != nil {
		t.Fatal(err)
	}
	// (the merged segments' files go once nothing reads them)
	files, marked := packed()
	for deadline := time.Now().Add(10 * time.Second); files > 1 && time.Now().Before(deadline); files, marked = packed() {
		time.Sleep(20 * time.Millisecond)
	}
	if files != 1 || marked != 1 {
		t.Fatalf("merged: %d segments, %d of them packed", files, marked)
	}
	if after := answers(); after != before {
		t.Fatalf("merged, the index answers\n%s\nwhere it answered\n%s", after, before)
	}
}
