package store

import (
	"context"
)

// A structured selection that holds many events is counted, faceted and put
// on the timeline from the columns (columns.go) instead of its rows: one
// pass over every event's time and term ids in memory evaluates the filter
// (~10 ms at 1M demo events), where SQLite reads ~1M rows a second and the
// kept counts (terms.n, term_pairs, the timeline table) answer only one
// term, or category and outcome by whole hours. At 1M, `-actor.label:ilert`
// took 180 ms to count and 810 ms to facet, the facets of a zoomed range of
// the whole case 690 ms.

// The columns answer when scanPolicy says so; scanAuto decides by size.
var scanPolicy = scanAuto

const (
	scanAuto = iota
	scanColumns
	scanRows
)

// largeShare: a selection whose rows SQLite would read number at least
// 1/largeShare of the case's events is read from the columns, when they are
// in memory. A scan of the columns costs ~10 ns an event, reading a row
// ~1 µs.
const largeShare = 100

// byColumns tells whether the columns should answer x: they have been read
// in this process (serve reads them when it opens a case; a command line
// does not read them for this), and SQLite would read many rows for it.
func (x *Selected) byColumns() (bool, error) {
	switch scanPolicy {
	case scanColumns:
		return true, nil
	case scanRows:
		return false, nil
	}
	if !x.s.columns.warm.Load() {
		return false, nil
	}
	total, err := x.s.EventCount()
	if err != nil || total == 0 {
		return false, err
	}
	est := float64(x.root.reads(int64(total)))
	if !x.open { // the share of the case's span the range covers, events taken as even over it
		oldest, newest, err := x.s.TimeSpan()
		if err != nil {
			return false, err
		}
		lo, hi := oldest.UnixNano(), newest.UnixNano()+1
		if x.lo > lo {
			lo = x.lo
		}
		if x.hi < hi {
			hi = x.hi
		}
		span := float64(newest.UnixNano() + 1 - oldest.UnixNano())
		est *= max(0, float64(hi-lo)) / span
	}
	return est*largeShare >= float64(total), nil
}

// estimate bounds the events n matches from the terms' counts, of total.
func (n *node) estimate(total int64) int64 { return n.bound(total, false) }

// reads bounds the rows SQLite reads to find n's events: a term's rows
// are in its index, a conjunction is read along its cheapest part, a
// disjunction along all of its parts; a negation, or everything, reads every
// row. (By the size of n's answer, `-outcome:success` at 1M demo events was
// 6,312 events and read from the rows, every one of the million: its facets
// took 190 ms.)
func (n *node) reads(total int64) int64 { return n.bound(total, true) }

// bound is estimate, or reads.
func (n *node) bound(total int64, reading bool) int64 {
	switch n.op {
	case OpTerm:
		return min(n.n, total)
	case OpAnd:
		b := total
		for _, k := range n.kids {
			b = min(b, k.bound(total, reading))
		}
		return b
	case OpOr:
		var b int64
		for _, k := range n.kids {
			b += k.bound(total, reading)
		}
		return min(b, total)
	case OpNot:
		switch {
		case reading:
			return total
		case len(n.kids) == 1:
			return total - n.kids[0].bound(total, false)
		}
		return 0
	}
	return total // OpAll
}

// matcher is a node compiled for the columns: a term is its field's place
// in a row and its ids as a set.
type matcher struct {
	op   Op
	col  int
	one  uint32 // the term's one id
	in   []bool // or its ids, by id (a term of several)
	kids []*matcher
}

func (n *node) compile(maxID uint32) *matcher {
	m := &matcher{op: n.op, col: n.field}
	if n.op == OpTerm {
		switch {
		case len(n.ids) == 0:
			m.op = OpOr // of nothing: matches no event
		case len(n.ids) == 1:
			m.one = uint32(n.ids[0])
		default:
			m.in = make([]bool, maxID+1)
			for _, id := range n.ids {
				if id >= 0 && id <= int64(maxID) {
					m.in[id] = true
				}
			}
		}
	}
	for _, k := range n.kids {
		m.kids = append(m.kids, k.compile(maxID))
	}
	return m
}

// matches evaluates m on one event's row of term ids.
func matches[T uint16 | uint32](m *matcher, row []T) bool {
	switch m.op {
	case OpAll:
		return true
	case OpTerm:
		id := uint32(row[m.col])
		if m.in == nil {
			return id == m.one
		}
		return int(id) < len(m.in) && m.in[id]
	case OpAnd:
		for _, k := range m.kids {
			if !matches(k, row) {
				return false
			}
		}
		return true
	case OpOr:
		for _, k := range m.kids {
			if matches(k, row) {
				return true
			}
		}
		return false
	case OpNot:
		return len(m.kids) == 1 && !matches(m.kids[0], row)
	}
	return false
}

// eachMatch reads the columns of the events stored since they were last
// read and calls hit, under their read lock, for every event in x's range
// that x's filter matches, in seq order, with its seq, time and row of ids
// (in TermFields' order, 16 or 32 bits each: row16 or row32 is nil).
func (x *Selected) eachMatch(hit func(seq, ns int64, row16 []uint16, row32 []uint32)) error {
	newest, err := x.s.MaxSeq()
	if err != nil {
		return err
	}
	if err := x.s.loadColumns(context.Background(), newest); err != nil {
		return err
	}
	c := &x.s.columns
	c.mu.RLock()
	defer c.mu.RUnlock()
	m := x.root.compile(c.maxID)
	k := len(TermFields)
	for ch, times := range c.times {
		for i, ns := range times {
			seq := int64(ch)<<columnShift + int64(i) + 1
			if seq > c.n {
				return nil
			}
			if ns < x.lo || ns >= x.hi || c.has[ch][i/64]&(1<<(i%64)) == 0 {
				continue
			}
			// (c.row here cost the pass 10–15%: the rows are sliced in place)
			if c.wide != nil {
				if row := c.wide[ch][i*k : i*k+k]; matches(m, row) {
					hit(seq, ns, nil, row)
				}
			} else if row := c.narrow[ch][i*k : i*k+k]; matches(m, row) {
				hit(seq, ns, row, nil)
			}
		}
	}
	return nil
}

// columnCount counts x's events from the columns.
func (x *Selected) columnCount() (uint64, error) {
	var n uint64
	err := x.eachMatch(func(int64, int64, []uint16, []uint32) { n++ })
	return n, err
}

// columnPage is Page and Count from the columns, in one pass: a page of
// newest first (as SeqPage keeps a word query's hits) and the number of
// x's events.
func (x *Selected) columnPage(after *PageKey, limit int) ([]int64, uint64, *PageKey, error) {
	return newestPage(after, limit, func(key func(PageKey)) error {
		return x.eachMatch(func(seq, ns int64, _ []uint16, _ []uint32) { key(PageKey{TimeNS: ns, Seq: seq}) })
	})
}

// EachTime calls hit with the time of each of x's events and the place of
// its value of field (of TermFields) among values (-1: another, or none),
// in one pass over the columns: what a timeline of x counts, its bounds
// included. At 1M demo events `+action:alert.* -outcome:success`, which no
// event matches, took ~210 ms to put on a timeline along the time index,
// every row read twice for its bounds.
func (x *Selected) EachTime(field string, values []string, hit func(ns int64, v int)) error {
	col, stacks, err := x.s.stackIDs(field, values)
	if err != nil {
		return err
	}
	return x.eachMatch(func(_, ns int64, row16 []uint16, row32 []uint32) {
		var id uint32
		if row32 != nil {
			id = row32[col]
		} else {
			id = uint32(row16[col])
		}
		hit(ns, stackOf(stacks, id))
	})
}

// columnFacets counts fields (of TermFields) over the selection's events
// from the columns.
func (x *Selected) columnFacets(fields []string, counts map[string]map[int64]int) error {
	tc := newTermCounts(fields)
	err := x.eachMatch(func(_, _ int64, row16 []uint16, row32 []uint32) {
		tc.add(x.s.columns.maxID, row16, row32) // under the read lock: maxID holds still
	})
	tc.into(counts)
	return err
}

// columnTimeline counts x's events into b by their id of TermFields[col]
// (col < 0: everything under 0), from the columns.
func (x *Selected) columnTimeline(b *bucketCounts, col int) error {
	return x.eachMatch(func(_, ns int64, row16 []uint16, row32 []uint32) {
		var key int64
		switch {
		case col < 0:
		case row32 != nil:
			key = int64(row32[col])
		default:
			key = int64(row16[col])
		}
		b.add(ns, key, 1)
	})
}
