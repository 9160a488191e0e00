package search

import (
	"sync"
	"weak"

	"github.com/blevesearch/bleve/v2/index/scorch"
	index "github.com/blevesearch/bleve_index_api"
)

// seqMemo remembers the seq of every document a pass over hits read the key
// of (EachSeq), by its number in the index snapshot the pass read: a number
// names one document for as long as that snapshot lives, and a case's
// snapshot changes only when events are indexed or tagged, so on a case at
// rest each document's key is read once, not once a pass. Reading a key
// (scorch's ExternalID, a string, SeqOf) was ~40% of a pass: at 1M demo
// events `acme`, every event, took 124 ms to facet, 75 with the memo;
// `payments` 28 → 16.
//
// A published table is never written: a pass reads the one of its snapshot
// without a lock and, at its first key read, takes a copy of its own to
// note what it reads, which it publishes when it ends (the pass that ends
// last wins: a memo of an older snapshot is replaced by the next pass over
// the newer one).
//
// The memo names its snapshot by a weak pointer: it does not keep a
// superseded snapshot (and, while an import runs, its unpersisted segments)
// from the collector, and a snapshot allocated later where it was is not
// taken for it (weak pointers name objects, not addresses). A reader that is
// not a scorch snapshot is not remembered.
type seqMemo struct {
	mu   sync.Mutex
	snap weak.Pointer[scorch.IndexSnapshot] // the snapshot seqs is of
	seqs []uint32                           // seq by document number; 0: not read
}

// memoMax bounds a table: documents numbered past it are not remembered
// (4 bytes each: 256 MiB).
const memoMax = 1 << 26

// memoPass is one pass's view of the memo.
type memoPass struct {
	m    *seqMemo
	snap weak.Pointer[scorch.IndexSnapshot] // zero: nothing is remembered
	seqs []uint32                           // the published table of the pass's snapshot, or the pass's own copy
	own  bool                               // seqs is the pass's copy
}

// begin starts a pass over reader's documents.
func (m *seqMemo) begin(reader index.IndexReader) *memoPass {
	p := &memoPass{m: m}
	snap, ok := reader.(*scorch.IndexSnapshot)
	if !ok || snap == nil {
		return p
	}
	p.snap = weak.Make(snap)
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.snap == p.snap {
		p.seqs = m.seqs
	}
	return p
}

// seq is the number of the document id names, and the seq remembered for
// it or 0.
func (p *memoPass) seq(id index.IndexInternalID) (num uint64, seq uint32) {
	if len(id) != 8 {
		return memoMax, 0 // not scorch's numbering: nothing remembered
	}
	num = id.Value()
	if num < uint64(len(p.seqs)) {
		return num, p.seqs[num]
	}
	return num, 0
}

// note remembers seq for document num.
func (p *memoPass) note(num uint64, seq int64) {
	if p.snap == (weak.Pointer[scorch.IndexSnapshot]{}) || num >= memoMax || seq <= 0 || seq > 1<<32-1 {
		return
	}
	if !p.own {
		p.seqs, p.own = append([]uint32(nil), p.seqs...), true
	}
	if num >= uint64(len(p.seqs)) {
		p.seqs = append(p.seqs, make([]uint32, int(num)+1-len(p.seqs))...)
	}
	p.seqs[num] = uint32(seq)
}

// end publishes the pass's table when it noted anything.
func (p *memoPass) end() {
	if !p.own {
		return
	}
	p.m.mu.Lock()
	defer p.m.mu.Unlock()
	p.m.snap, p.m.seqs = p.snap, p.seqs
}
