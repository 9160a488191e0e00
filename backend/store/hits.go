package store

import (
	"cmp"
	"context"
	"math"
	mathbits "math/bits"
	"slices"
	"time"
)

// Hits are the events a word query matches: the search index finds its
// words over the whole case and hands their seqs (Each calls visit once
// for each), and the columns keep those whose time is in [From, To) (a
// zero time leaves that side open). The index holds no time ranges of its
// own: the columns have every event's time already.
//
// Until the columns are read (the command line never reads them for a
// page), a page is kept and ordered by the times Keys hands with the seqs:
// a pass as Each's, with each hit's time as the index holds it (a stored
// field). Without Keys the columns are read first.
type Hits struct {
	Each     func(visit func(seq int64)) error
	Keys     func(visit func(seq, ns int64)) error
	From, To time.Time
}

// bounds is the range in unix ns, [lo, hi).
func (h Hits) bounds() (lo, hi int64) { return nanoRange(h.From, h.To) }

// nanoRange is [from, to) in unix ns, a zero time open. A time before
// (after) what nanoseconds hold is before (after) every event.
func nanoRange(from, to time.Time) (lo, hi int64) {
	lo, hi = math.MinInt64, math.MaxInt64
	if !from.IsZero() {
		lo = nanos(from)
	}
	if !to.IsZero() {
		hi = nanos(to)
	}
	return lo, hi
}

var firstNano, lastNano = time.Unix(0, math.MinInt64), time.Unix(0, math.MaxInt64)

func nanos(t time.Time) int64 {
	switch {
	case t.Before(firstNano):
		return math.MinInt64
	case t.After(lastNano):
		return math.MaxInt64
	}
	return t.UnixNano()
}

// SeqPage is a page of h's events as Selected.Page gives a selection's: at
// most limit seqs, newest first (ties by seq descending), after the key
// when one is given, and the key to go on from when the page is full; and
// the number of h's events, the page's and all others.
func (s *Store) SeqPage(h Hits, after *PageKey, limit int) ([]int64, uint64, *PageKey, error) {
	return newestPage(after, limit, func(key func(PageKey)) error { return s.eachHitKey(h, key) })
}

// newestPage is the page after the key (if any) of at most limit of the
// keys a pass hands, newest first, the key to go on from when the page is
// full, and the number of keys handed.
func newestPage(after *PageKey, limit int, pass func(key func(PageKey)) error) ([]int64, uint64, *PageKey, error) {
	var total uint64
	top := newNewestKeys(limit)
	err := pass(func(key PageKey) {
		total++
		if after == nil || older(key, *after) {
			top.add(key)
		}
	})
	if err != nil {
		return nil, 0, nil, err
	}
	keys := top.result()
	if len(keys) < limit || limit == 0 {
		return keySeqs(keys), total, nil, nil
	}
	return keySeqs(keys), total, &keys[len(keys)-1], nil
}

// orderChunk is about how many hits SeqBatches sorts at a time (a
// variable for the tests).
var orderChunk = 1 << 18

// SeqBatches calls fn with the seqs of all h's events, newest first (ties
// by seq descending), a batch at a time, so that a scan (a report, an
// export, a history) holds 16 bytes a hit of one batch, not of every hit.
// Up to orderChunk hits are one batch. Past that, the columns are read
// (their 24 bytes an event are bounded by the case, and a walk over them
// costs a few ns a hit) and the hits' span of time is cut (batchesOf).
func (s *Store) SeqBatches(h Hits, fn func(seqs []int64) error) error {
	bits, err := hitBits(h.Each)
	if err != nil {
		return err
	}
	n := 0
	for _, w := range bits {
		n += mathbits.OnesCount64(w)
	}
	if n <= orderChunk {
		return s.sortedBatch(bits, h, fn)
	}
	if err := s.loadColumns(context.Background(), int64(len(bits))*64); err != nil {
		return err
	}
	oldest, newest, any := int64(math.MaxInt64), int64(math.MinInt64), false
	if err := s.keysOf(bits, h, func(k PageKey) {
		oldest, newest, any = min(oldest, k.TimeNS), max(newest, k.TimeNS), true
	}); err != nil || !any {
		return err
	}
	return s.batchesOf(bits, oldest, newest+1, fn) // (newest < h's end, so newest+1 holds)
}

// batchesOf calls fn with the hits of bits in [lo, hi), newest first, in
// batches: the span is cut in 1,024 slices, and a batch is the hits of
// consecutive slices, newest first, up to orderChunk; a slice holding more
// is cut again, down to a nanosecond (whose hits, all of one time, are one
// batch). One walk over the hits counts the slices, and one collects each
// batch.
func (s *Store) batchesOf(bits []uint64, lo, hi int64, fn func(seqs []int64) error) error {
	const cuts = 1024
	width := uint64(hi-lo-1)/cuts + 1 // (unsigned: a span past int64's holds)
	var count [cuts]int
	err := s.keysOf(bits, span(lo, hi), func(k PageKey) { count[uint64(k.TimeNS-lo)/width]++ })
	if err != nil {
		return err
	}
	// From the newest slice down: a batch is [from, end), its oldest
	// slice's start to its newest slice's end.
	end, from, held := hi, hi, 0
	flush := func() error {
		if held == 0 {
			return nil
		}
		err := s.sortedBatch(bits, span(from, end), fn)
		end, held = from, 0
		return err
	}
	for i := cuts - 1; i >= 0; i-- {
		start := lo + int64(uint64(i)*width)
		c := count[i]
		if c == 0 {
			if held == 0 && uint64(start-lo) < uint64(end-lo) { // (the last slices may lie past hi)
				end = start
			}
			continue
		}
		if held > 0 && held+c > orderChunk {
			if err := flush(); err != nil {
				return err
			}
		}
		if c > orderChunk && width > 1 { // this slice alone, cut again
			if err := s.batchesOf(bits, start, end, fn); err != nil {
				return err
			}
			end = start
			continue
		}
		held, from = held+c, start
		if held >= orderChunk {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// sortedBatch calls fn with the hits of bits in h's range, sorted newest
// first.
func (s *Store) sortedBatch(bits []uint64, h Hits, fn func(seqs []int64) error) error {
	var keys []PageKey
	if err := s.keysOf(bits, h, func(k PageKey) { keys = append(keys, k) }); err != nil || len(keys) == 0 {
		return err
	}
	slices.SortFunc(keys, newerFirst)
	return fn(keySeqs(keys))
}

// keySeqs is the seqs of keys, in their order.
func keySeqs(keys []PageKey) []int64 {
	seqs := make([]int64, len(keys))
	for i, k := range keys {
		seqs[i] = k.Seq
	}
	return seqs
}

// span is the range [lo, hi) in unix ns.
func span(lo, hi int64) Hits { return Hits{From: time.Unix(0, lo), To: time.Unix(0, hi)} }

// eachHitKey calls fn with the time and seq of each of h's events (those
// the database holds, in h's range). With the columns read the keys come
// from the greatest seq down: an import stores a file in its own order,
// mostly that of time, so the keys come about newest first, and once a
// page's newest are kept most keys are older than them all (one
// comparison). In the order the index hands them, by segment, a key was
// newer than the oldest kept for ~40% of 1M demo events. Until the columns
// are read (the command line) the keys are the index's (h.Keys), in its
// order: at 1M, `acme`'s 1M hits ~0.3 s where their rows' times took ~1 s,
// and reading every event's columns first 1.36 s.
func (s *Store) eachHitKey(h Hits, fn func(PageKey)) error {
	if !s.columns.warm.Load() && h.Keys != nil {
		return s.indexKeys(nil, h, fn)
	}
	bits, err := hitBits(h.Each)
	if err != nil {
		return err
	}
	return s.keysOf(bits, h, fn)
}

// keysOf is eachHitKey for the hits of bits, in h's range.
func (s *Store) keysOf(bits []uint64, h Hits, fn func(PageKey)) error {
	if !s.columns.warm.Load() && h.Keys != nil {
		return s.indexKeys(bits, h, fn)
	}
	// (walkLoaded's closures here cost `acme`, 1M hits, ~3 ms a page)
	if len(bits) > 0 {
		if err := s.loadColumns(context.Background(), int64(len(bits))*64); err != nil {
			return err
		}
	}
	lo, hi := h.bounds()
	c := &s.columns
	c.mu.RLock()
	defer c.mu.RUnlock()
	for w := len(bits) - 1; w >= 0; w-- {
		for b := bits[w]; b != 0; {
			i := 63 - mathbits.LeadingZeros64(b)
			b &^= 1 << i
			seq := int64(w*64+i) + 1
			if seq > c.n { // the database lacks it
				continue
			}
			if ns := c.time(seq); ns >= lo && ns < hi {
				fn(PageKey{ns, seq})
			}
		}
	}
	return nil
}

// indexKeys calls fn with the keys h.Keys hands, in h's range, each seq
// once, of those the database holds (and among only's bits, unless only is
// nil), in the index's order.
func (s *Store) indexKeys(only []uint64, h Hits, fn func(PageKey)) error {
	last, err := s.MaxSeq()
	if err != nil {
		return err
	}
	lo, hi := h.bounds()
	var seen []uint64
	return h.Keys(func(seq, ns int64) {
		if seq < 1 || seq > last || ns < lo || ns >= hi {
			return
		}
		if only != nil && !hasSeq(only, seq) {
			return
		}
		var added bool
		if seen, added = addSeq(seen, seq); added {
			fn(PageKey{ns, seq})
		}
	})
}

// eachLoaded calls hit, under the columns' read lock, for every seq that h
// hands (a pass over a word query's hits; each seq once) whose time is in
// h's range, in the order of seqs, with the columns loaded for it. Seqs h
// hands that were stored after the columns were last read are read after
// the pass; seqs below 1, and seqs the database does not hold, are skipped.
// The pass only sets a bit for each hit: looking each up in the columns as
// the index handed it, by segment, cost ~20 ns a hit in cache misses (1M
// hits: ~40 of a timeline's 70 ms), in the order of seqs a few.
func (s *Store) eachLoaded(h Hits, hit func(c *columns, seq int64)) error {
	bits, err := hitBits(h.Each)
	if err != nil {
		return err
	}
	return s.walkLoaded(bits, h, hit)
}

// walkLoaded calls hit as eachLoaded says for the seqs of bits, in order.
func (s *Store) walkLoaded(bits []uint64, h Hits, hit func(c *columns, seq int64)) error {
	if len(bits) > 0 {
		if err := s.loadColumns(context.Background(), int64(len(bits))*64); err != nil {
			return err
		}
	}
	lo, hi := h.bounds()
	ranged := lo != math.MinInt64 || hi != math.MaxInt64
	c := &s.columns
	c.mu.RLock()
	defer c.mu.RUnlock()
	eachBit(bits, false, func(seq int64) {
		if seq > c.n { // the database lacks it
			return
		}
		if ranged {
			if t := c.time(seq); t < lo || t >= hi {
				return
			}
		}
		hit(c, seq)
	})
	return nil
}

// hitBits runs a pass, setting bit seq-1 for each seq it hands (below 1
// skipped).
func hitBits(each func(visit func(seq int64)) error) ([]uint64, error) {
	var bits []uint64
	err := each(func(seq int64) {
		if seq >= 1 {
			bits, _ = addSeq(bits, seq)
		}
	})
	return bits, err
}

// addSeq sets bit seq-1 (seq ≥ 1), growing bits as needed, and says
// whether it was not set before.
func addSeq(bits []uint64, seq int64) ([]uint64, bool) {
	i := uint64(seq - 1)
	for uint64(len(bits)) <= i/64 {
		bits = append(bits, 0)
	}
	w, bit := &bits[i/64], uint64(1)<<(i%64)
	added := *w&bit == 0
	*w |= bit
	return bits, added
}

// hasSeq says whether bit seq-1 (seq ≥ 1) is set.
func hasSeq(bits []uint64, seq int64) bool {
	i := uint64(seq - 1)
	return i/64 < uint64(len(bits)) && bits[i/64]&(1<<(i%64)) != 0
}

// eachBit calls fn with the seq of each bit set, from the greatest down
// (desc) or up.
func eachBit(bits []uint64, desc bool, fn func(seq int64)) {
	if desc {
		for w := len(bits) - 1; w >= 0; w-- {
			for b := bits[w]; b != 0; {
				i := 63 - mathbits.LeadingZeros64(b)
				b &^= 1 << i
				fn(int64(w*64+i) + 1)
			}
		}
		return
	}
	for w, b := range bits {
		for b != 0 {
			i := mathbits.TrailingZeros64(b)
			b &^= 1 << i
			fn(int64(w*64+i) + 1)
		}
	}
}

// older says whether a comes after b newest first.
func older(a, b PageKey) bool {
	return a.TimeNS < b.TimeNS || a.TimeNS == b.TimeNS && a.Seq < b.Seq
}

func newerFirst(a, b PageKey) int {
	if c := cmp.Compare(b.TimeNS, a.TimeNS); c != 0 {
		return c
	}
	return cmp.Compare(b.Seq, a.Seq)
}

// newestKeys keeps the k newest keys added, oldest first. A key newer than
// all kept is appended and the oldest let go, in constant time: hits come
// in about the order they were stored, for most cases the order of time,
// so that is most keys. A key older than all kept, once k are, is passed
// over; one between them is put in its place, which in random order
// happens to ~k·ln(n/k) keys of n. (A buffer cut by quickselect cost
// ~4.5 ns a key in stored order; a heap sifts at each.)
type newestKeys struct {
	k    int
	keep []PageKey // a window on mem
	mem  []PageKey
}

func newNewestKeys(k int) *newestKeys {
	return &newestKeys{k: k, mem: make([]PageKey, 0, 2*max(k, 1))}
}

func (n *newestKeys) add(key PageKey) {
	if n.k <= 0 {
		return
	}
	if len(n.keep) == n.k {
		if !older(n.keep[0], key) {
			return
		}
		n.keep = n.keep[1:]
	}
	if len(n.keep) == cap(n.keep) { // the window is at mem's end
		n.keep = n.mem[:copy(n.mem[:cap(n.mem)], n.keep)]
	}
	l := len(n.keep)
	if l == 0 || older(n.keep[l-1], key) {
		n.keep = append(n.keep, key)
		return
	}
	i, _ := slices.BinarySearchFunc(n.keep, key, func(a, b PageKey) int { return newerFirst(b, a) })
	n.keep = append(n.keep, PageKey{})
	copy(n.keep[i+1:], n.keep[i:])
	n.keep[i] = key
}

// result is the keys kept, newest first.
func (n *newestKeys) result() []PageKey {
	keys := slices.Clone(n.keep)
	slices.Reverse(keys)
	return keys
}
