package search

import (
	"sort"
	"sync"
	"sync/atomic"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// seqMemo remembers the seq of every document a pass over hits read the key
// of (EachSeq), by segment: a segment never changes once made, so its
// documents keep their numbers in it for its life, whatever snapshots it is
// part of. A tag or an import makes a new snapshot of mostly the same
// segments, and a pass over it reads the keys of the new segments' hits
// only. Reading a key (scorch's ExternalID, a string, SeqOf) was ~40% of a
// pass: at 1M demo events `acme`, every event, took 124 ms to facet, 75
// with the memo; `payments` 28 → 16.
//
// Segments are named by scorch's segment id, which a segment keeps from
// snapshot to snapshot (also when it is written to disk) and which no other
// segment of the index gets; a document's number in a snapshot is its
// segment's offset (the documents of the segments before it, deleted ones
// included) plus its number in the segment. Tables are shared by the passes
// at once, their entries written and read atomically; a pass's begin keeps
// the tables of its snapshot's segments and lets the others go (a merge
// replaced them), so the memo holds 4 bytes a document of one snapshot.
//
// A document's time is stored with its key (timefield.go). A time range
// tests every document of a segment, so the first range over a segment
// reads all its documents' times and its table keeps them, 8 bytes a
// document more (segmentTimes). A pass over hits that needs their times
// (the command line's pages) reads those of the hits it has no times for.
type seqMemo struct {
	mu     sync.Mutex
	tables map[uint64]*memoTable // by segment id
}

// memoTable is what the memo holds of one segment.
type memoTable struct {
	seqs  []atomic.Uint32         // seq by number in the segment; 0: not read
	times atomic.Pointer[[]int64] // every document's time by number, once read
}

// memoMax bounds a table: a segment of more documents is not remembered
// (4 bytes each: 256 MiB).
const memoMax = 1 << 26

// memoPass is one pass's view of the memo: its snapshot's segments, in
// order, and the one of the last number looked up.
type memoPass struct {
	segs  []memoSegment
	start uint64          // that segment's first number
	seqs  []atomic.Uint32 // its table (nil: not remembered)
}

type memoSegment struct {
	start uint64
	table *memoTable // nil: not remembered
}

// begin starts a pass over reader's documents.
func (m *seqMemo) begin(reader index.IndexReader) *memoPass {
	p := &memoPass{}
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok || snap == nil {
		return p
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	kept := make(map[uint64]*memoTable, len(snap.Segments()))
	var start uint64
	for _, ss := range snap.Segments() {
		n := ss.Segment().Count()
		t, ok := m.tables[ss.Id()]
		if !ok && n <= memoMax {
			t = &memoTable{seqs: make([]atomic.Uint32, n)}
		}
		if t != nil && uint64(len(t.seqs)) != n { // not the segment the id named before
			t = nil
		}
		kept[ss.Id()] = t
		p.segs = append(p.segs, memoSegment{start, t})
		start += n
	}
	m.tables = kept
	return p
}

// docNum is the number of the document id names in its snapshot (a
// number past every document for an id that is not scorch's).
func docNum(id index.IndexInternalID) uint64 {
	if len(id) != 8 {
		return ^uint64(0)
	}
	return id.Value()
}

// seq is the seq remembered for document num, or 0. Hits come in the order
// of numbers, mostly in the last one's segment: this much is inlined, and
// seqElsewhere looks up a number elsewhere.
func (p *memoPass) seq(num uint64) (seq uint32, here bool) {
	if i := num - p.start; i < uint64(len(p.seqs)) {
		return p.seqs[i].Load(), true
	}
	return 0, false
}

// seqElsewhere is seq for a number outside the last one's segment.
func (p *memoPass) seqElsewhere(num uint64) uint32 {
	p.move(num)
	seq, _ := p.seq(num)
	return seq
}

// move makes the segment holding num the pass's: the last one that starts
// at or before it (a number past every document is past its end too).
func (p *memoPass) move(num uint64) {
	j := sort.Search(len(p.segs), func(i int) bool { return p.segs[i].start > num }) - 1
	if j < 0 {
		p.start, p.seqs = 0, nil
		return
	}
	p.start, p.seqs = p.segs[j].start, nil
	if t := p.segs[j].table; t != nil {
		p.seqs = t.seqs
	}
}

// readKey is the seq of document num, read from its key (not remembered
// yet), and remembers it.
func (x *Index) readKey(memo *memoPass, num uint64, key string) (int64, error) {
	x.keyReads.Add(1)
	seq, err := SeqOf(key)
	if err == nil {
		memo.note(num, seq)
	}
	return seq, err
}

// readTime is the seq and time of document num, local in ss, read from
// its stored data by r, and remembers the seq.
func (x *Index) readTime(memo *memoPass, r *timeReader, ss *scorch.SegmentSnapshot, num, local uint64) (seq, ns int64, err error) {
	x.keyReads.Add(1)
	seq, ns, err = r.read(ss, local)
	if err == nil {
		memo.note(num, seq)
	}
	return seq, ns, err
}

// knownTimes is the times of segment i's documents by number if the memo
// holds them, else nil.
func (p *memoPass) knownTimes(i int) []int64 {
	if t := p.segs[i].table; t != nil {
		if ts := t.times.Load(); ts != nil {
			return *ts
		}
	}
	return nil
}

// segmentTimes is the times of every document of ss, segment i of memo's
// pass, by number: the memo's, or read from their stored data (remembering
// the seqs, and the times for the segment's life).
func (x *Index) segmentTimes(memo *memoPass, i int, ss *scorch.SegmentSnapshot) ([]int64, error) {
	if ts := memo.knownTimes(i); ts != nil {
		return ts, nil
	}
	n := ss.Segment().Count()
	ts := make([]int64, n)
	start := memo.segs[i].start
	memo.move(start)
	r := newTimeReader()
	for local := range n {
		var err error
		if _, ts[local], err = x.readTime(memo, r, ss, start+local, local); err != nil {
			return nil, err
		}
	}
	if t := memo.segs[i].table; t != nil {
		t.times.Store(&ts)
	}
	return ts, nil
}

// note remembers seq for document num, the number seq last looked up.
func (p *memoPass) note(num uint64, seq int64) {
	if i := num - p.start; i < uint64(len(p.seqs)) && seq > 0 && seq <= 1<<32-1 {
		p.seqs[i].Store(uint32(seq))
	}
}
