package store

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
)

// columns keeps every event's time and term ids (its k_* columns, in
// TermFields' order) in memory by seq, so that the facets and the timeline
// of events the search index found, a word query's hits, are counted
// without reading their rows or the index's doc values: SQLite reads ~600k
// rows a second here, and Bleve's doc values decompress every 1,024-event
// chunk a hit falls in, field by field (`payments`' 91k hits at 1M: facets
// 162–168 ms, timeline ~43 ms, on the machine where these take 32 and ~20);
// and so that a structured selection of many events is counted by one pass
// over them all (colscan.go).
// Rows never change once written (rebuildTerms rewrites them before a store
// is handed out), so the columns only grow: the events stored since the
// last load are read when a pass needs them. Ids are kept in 16 bits while
// every id loaded fits (a case has a few hundred to tens of thousands of
// terms: 1M demo events have 271), in 32 once one does not: 24 or 40 bytes
// an event and a bit (24 MiB at 1M demo events), in chunks so that growing
// never copies.
type columns struct {
	mu     sync.RWMutex
	n      int64       // seqs 1..n are loaded
	times  [][]int64   // chunk i holds the times (unix ns) of seqs i<<columnShift+1 …
	narrow [][]uint16  // and their ids, len(TermFields) each
	wide   [][]uint32  // the same once an id is above narrowMax (narrow is then nil)
	has    [][]uint64  // bit i of chunk ch: seq ch<<columnShift+i+1 has a row
	maxID  uint32      // the greatest term id loaded
	warm   atomic.Bool // a load has read every row stored when it began
}

var (
	columnShift        = 16        // events a chunk: 65,536
	narrowMax   uint32 = 1<<16 - 1 // the greatest id kept in 16 bits
) // (variables for the tests)

// slot is where seq's ids begin: its chunk and the place in it.
func (c *columns) slot(seq int64) (chunk, off int) {
	i := seq - 1
	return int(i >> columnShift), int(i&(1<<columnShift-1)) * len(TermFields)
}

// time is seq's time (unix ns); seq must be loaded (1 ≤ seq ≤ n).
func (c *columns) time(seq int64) int64 {
	i := seq - 1
	return c.times[i>>columnShift][i&(1<<columnShift-1)]
}

// term is seq's id of TermFields[field]; seq must be loaded.
func (c *columns) term(seq int64, field int) uint32 {
	ch, off := c.slot(seq)
	if c.wide != nil {
		return c.wide[ch][off+field]
	}
	return uint32(c.narrow[ch][off+field])
}

// row is the ids of the event at offset off of chunk ch (see slot), in 16
// bits or in 32: the other is nil.
func (c *columns) row(ch, off int) ([]uint16, []uint32) {
	if c.wide != nil {
		return nil, c.wide[ch][off : off+len(TermFields)]
	}
	return c.narrow[ch][off : off+len(TermFields)], nil
}

// set keeps the time and ids of seq, which must have room (grow).
func (c *columns) set(seq, ns int64, ids []int64) error {
	ch, off := c.slot(seq)
	i := off / len(TermFields)
	c.times[ch][i] = ns
	c.has[ch][i/64] |= 1 << (i % 64)
	for i, id := range ids {
		if id < 0 || id > 1<<32-1 {
			return fmt.Errorf("event %d: term id %d out of range", seq, id)
		}
		c.maxID = max(c.maxID, uint32(id))
		if c.wide == nil && uint32(id) > narrowMax {
			c.widen()
		}
		if c.wide != nil {
			c.wide[ch][off+i] = uint32(id)
		} else {
			c.narrow[ch][off+i] = uint16(id)
		}
	}
	return nil
}

// widen moves every id to 32 bits.
func (c *columns) widen() {
	for _, chunk := range c.narrow {
		w := make([]uint32, len(chunk))
		for i, id := range chunk {
			w[i] = uint32(id)
		}
		c.wide = append(c.wide, w)
	}
	c.narrow = nil
}

// grow makes room for seqs up to seq.
func (c *columns) grow(seq int64) {
	size := len(TermFields) << columnShift
	for int64(len(c.times))<<columnShift < seq {
		c.times = append(c.times, make([]int64, 1<<columnShift))
		c.has = append(c.has, make([]uint64, (1<<columnShift+63)/64))
		if c.wide != nil {
			c.wide = append(c.wide, make([]uint32, size))
		} else {
			c.narrow = append(c.narrow, make([]uint16, size))
		}
	}
}

// WarmColumns reads the columns of every event stored, so that the first
// word query's facets and timeline need not (1M events: ~1.1 s). It ends
// early, leaving what it read, when ctx is done.
func (s *Store) WarmColumns(ctx context.Context) error {
	newest, err := s.MaxSeq()
	if err != nil {
		return err
	}
	return s.loadColumns(ctx, newest)
}

// ColumnsRead says whether the columns have been read (by WarmColumns, or
// for a word query's facets, timeline or a large scan).
func (s *Store) ColumnsRead() bool { return s.columns.warm.Load() }

// loadColumns reads the rows after those loaded, up to seq upto.
func (s *Store) loadColumns(ctx context.Context, upto int64) error {
	c := &s.columns
	c.mu.Lock()
	defer c.mu.Unlock()
	if upto <= c.n {
		return nil
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, time_ns, `+termColumnList()+` FROM events WHERE seq > ? AND seq <= ? ORDER BY seq`, c.n, upto)
	var seq, ns int64
	ids := make([]int64, len(TermFields))
	ptrs := []any{&seq, &ns}
	for i := range ids {
		ptrs = append(ptrs, &ids[i])
	}
	err = eachRow(rows, err, func() error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		c.grow(seq)
		if err := c.set(seq, ns, ids); err != nil {
			return err
		}
		c.n = seq // a load that ends early keeps what it read
		return nil
	})
	// c.n stays at the last row read: a seq above it that the index holds
	// and the database not yet (an index restored ahead of its database) is
	// read when the database has it, not taken for a row with nothing.
	if err == nil {
		c.warm.Store(true)
	}
	return err
}

// SeqFacets counts the top size values of each of fields (TermFields or
// "tag") among h's events, as Selected.Facets counts a selection's.
func (s *Store) SeqFacets(fields []string, size int, h Hits) ([]FacetCount, error) {
	tc := newTermCounts(fields)
	var hits []uint64 // bit seq-1 set for each seq handed
	err := s.eachLoaded(h, func(c *columns, seq int64) {
		for int64(len(hits))*64 < seq {
			hits = append(hits, 0)
		}
		hits[(seq-1)/64] |= 1 << ((seq - 1) % 64)
		row16, row32 := c.row(c.slot(seq))
		tc.add(c.maxID, row16, row32)
	})
	if err != nil {
		return nil, err
	}
	byField := map[string]map[int64]int{}
	tc.into(byField)
	return s.topFacets(fields, size, byField, func() ([]FacetValue, error) {
		return s.hitTags(hits)
	})
}

// termCounts counts the ids of some of TermFields over events' rows.
type termCounts struct {
	cols []int      // the places in TermFields counted
	byID []int32    // by term id: ids are one numbering over every field
	seen [][]uint32 // the ids counted, by place, in the order first met
}

// newTermCounts counts those of fields that are TermFields.
func newTermCounts(fields []string) *termCounts {
	tc := &termCounts{seen: make([][]uint32, len(TermFields))}
	for _, f := range fields {
		if i := slices.Index(TermFields, f); i >= 0 {
			tc.cols = append(tc.cols, i)
		}
	}
	return tc
}

// add counts one event's row (row16 or row32) of columns whose greatest id
// is maxID.
func (tc *termCounts) add(maxID uint32, row16 []uint16, row32 []uint32) {
	if int(maxID) >= len(tc.byID) {
		tc.byID = append(tc.byID, make([]int32, int(maxID)+1-len(tc.byID))...)
	}
	if row32 != nil {
		countRow(row32, tc.cols, tc.byID, tc.seen)
	} else {
		countRow(row16, tc.cols, tc.byID, tc.seen)
	}
}

// into sets counts[field][id] for every id counted.
func (tc *termCounts) into(counts map[string]map[int64]int) {
	for _, i := range tc.cols {
		m := counts[TermFields[i]]
		if m == nil {
			m = make(map[int64]int, len(tc.seen[i]))
			counts[TermFields[i]] = m
		}
		for _, id := range tc.seen[i] {
			m[int64(id)] = int(tc.byID[id])
		}
	}
}

// countRow counts the ids of one event's row at places cols, noting in
// seen each id met for the first time.
func countRow[T uint16 | uint32](row []T, cols []int, counts []int32, seen [][]uint32) {
	for _, i := range cols {
		if id := uint32(row[i]); id != 0 {
			if counts[id]++; counts[id] == 1 {
				seen[i] = append(seen[i], id)
			}
		}
	}
}

// SeqTimes calls hit with the time (unix ns) of every event of h and the
// place of its value of field (one of TermFields) among values (folded as
// Fold folds; -1 for another value or none), and returns how many it handed.
func (s *Store) SeqTimes(field string, values []string, h Hits, hit func(ns int64, v int)) (uint64, error) {
	col, stacks, err := s.stackIDs(field, values)
	if err != nil {
		return 0, err
	}
	var n uint64
	err = s.eachLoaded(h, func(c *columns, seq int64) {
		n++
		hit(c.time(seq), stackOf(stacks, c.term(seq, col)))
	})
	return n, err
}

// stackIDs are field's place in a row of the columns and the term ids of
// values (0 for a value no event has).
func (s *Store) stackIDs(field string, values []string) (int, []uint32, error) {
	col, err := termColumnOf(field)
	if err != nil {
		return 0, nil, err
	}
	stacks := make([]uint32, len(values))
	for i, v := range values {
		n, err := s.resolve(&Filter{Op: OpTerm, Field: field, Value: Fold(v)}, map[string]bool{})
		if err != nil {
			return 0, nil, err
		}
		if len(n.ids) > 0 {
			stacks[i] = uint32(n.ids[0])
		}
	}
	return col, stacks, nil
}

// stackOf is the place of id among stacks (stackIDs), or -1.
func stackOf(stacks []uint32, id uint32) int {
	for i, s := range stacks { // a few values: quicker than a map
		if s == id && id != 0 {
			return i
		}
	}
	return -1
}

// hitTags counts the tags of the events whose bits are set in hits (bit
// seq-1), folded as the index folds them.
func (s *Store) hitTags(hits []uint64) ([]FacetValue, error) {
	byTag := map[string]int{}
	var seq int64
	var t string
	rows, err := s.r.Query(`SELECT e.seq, t.tag FROM event_tags t CROSS JOIN events e ON e.id = t.event_id`)
	err = eachRow(rows, err, func() error {
		if err := rows.Scan(&seq, &t); err != nil {
			return err
		}
		if i := (seq - 1) / 64; t != "" && seq >= 1 && i < int64(len(hits)) && hits[i]&(1<<((seq-1)%64)) != 0 {
			byTag[Fold(t)]++
		}
		return nil
	})
	return tagValues(byTag), err
}
