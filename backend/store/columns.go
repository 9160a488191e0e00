package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// columns keeps every event's term ids (its k_* columns, in TermFields'
// order) in memory by seq, so that the facets of events the search index
// found, a word query's hits, are counted without reading their rows:
// SQLite reads ~600k rows a second here, and Bleve's own facets decompress
// every doc-value chunk a hit falls in, field by field (`payments`' 91k
// hits at 1M: ~270–440 ms). Rows never change once written (rebuildTerms
// rewrites them before a store is handed out), so the columns only grow:
// the events stored since the last load are read when a count needs them.
// Ids are kept in 16 bits while every id loaded fits (a case has a few
// hundred to tens of thousands of terms: 1M demo events have 271), in 32
// once one does not: 16 or 32 bytes an event (16 MiB at 1M demo events),
// in chunks so that growing never copies.
type columns struct {
	mu     sync.RWMutex
	n      int64      // seqs 1..n are loaded
	narrow [][]uint16 // chunk i holds seqs i<<columnShift+1 …, len(TermFields) ids each
	wide   [][]uint32 // the same once an id is above narrowMax (narrow is then nil)
	maxID  uint32     // the greatest term id loaded
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

// set keeps the ids of seq, which must have room (grow).
func (c *columns) set(seq int64, ids []int64) error {
	ch, off := c.slot(seq)
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

// grow makes room for the ids of seqs up to seq.
func (c *columns) grow(seq int64) {
	size := len(TermFields) << columnShift
	for int64(len(c.narrow)+len(c.wide))<<columnShift < seq {
		if c.wide != nil {
			c.wide = append(c.wide, make([]uint32, size))
		} else {
			c.narrow = append(c.narrow, make([]uint16, size))
		}
	}
}

// counter counts the ids of some fields (places in TermFields) over events.
type counter struct {
	cols   []int
	counts []int32    // by term id: ids are one numbering over every field
	seen   [][]uint32 // the ids counted, by field, in the order first met
}

// add counts the ids of seq, which must be loaded (1 ≤ seq ≤ n).
func (k *counter) add(c *columns, seq int64) {
	ch, off := c.slot(seq)
	if c.wide != nil {
		countRow(k, c.wide[ch][off:off+len(TermFields)])
	} else {
		countRow(k, c.narrow[ch][off:off+len(TermFields)])
	}
}

func countRow[T uint16 | uint32](k *counter, row []T) {
	for _, i := range k.cols {
		if id := uint32(row[i]); id != 0 {
			if k.counts[id]++; k.counts[id] == 1 {
				k.seen[i] = append(k.seen[i], id)
			}
		}
	}
}

// WarmColumns reads the columns of every event stored, so that the first
// word query's facets need not (1M events: ~1.1 s). It ends early, leaving
// what it read, when ctx is done.
func (s *Store) WarmColumns(ctx context.Context) error {
	newest, err := s.MaxSeq()
	if err != nil {
		return err
	}
	return s.loadColumns(ctx, newest)
}

// loadColumns reads the rows after those loaded, up to seq upto.
func (s *Store) loadColumns(ctx context.Context, upto int64) error {
	c := &s.columns
	c.mu.Lock()
	defer c.mu.Unlock()
	if upto <= c.n {
		return nil
	}
	cols := make([]string, len(TermFields))
	for i, f := range TermFields {
		cols[i] = termColumn[f]
	}
	rows, err := s.r.QueryContext(ctx, `SELECT seq, `+strings.Join(cols, ", ")+` FROM events WHERE seq > ? AND seq <= ? ORDER BY seq`, c.n, upto)
	var seq int64
	ids := make([]int64, len(TermFields))
	ptrs := []any{&seq}
	for i := range ids {
		ptrs = append(ptrs, &ids[i])
	}
	err = eachRow(rows, err, func() error {
		if err := rows.Scan(ptrs...); err != nil {
			return err
		}
		c.grow(seq)
		if err := c.set(seq, ids); err != nil {
			return err
		}
		c.n = seq // a load that ends early keeps what it read
		return nil
	})
	if err != nil {
		return err
	}
	c.grow(upto)
	c.n = upto // seqs with no row (none are deleted) keep no ids
	return nil
}

// SeqFacets counts the top size values of each of fields (TermFields or
// "tag") among the events whose seqs each hands to its visitor (a pass over
// a word query's hits), as Selected.Facets counts a selection's. each may
// hand seqs stored after it was called; a seq is handed at most once.
func (s *Store) SeqFacets(fields []string, size int, each func(visit func(seq int64)) error) ([]FacetCount, error) {
	newest, err := s.MaxSeq()
	if err != nil {
		return nil, err
	}
	if err := s.loadColumns(context.Background(), newest); err != nil {
		return nil, err
	}
	var cols []int // places in TermFields of the fields counted
	for _, f := range fields {
		for i, t := range TermFields {
			if f == t {
				cols = append(cols, i)
			}
		}
	}
	c := &s.columns
	var late []int64                    // seqs stored after the load
	hits := make([]uint64, newest/64+1) // bit seq-1 set for each seq handed
	c.mu.RLock()
	k := &counter{cols: cols, counts: make([]int32, c.maxID+1), seen: make([][]uint32, len(TermFields))}
	err = each(func(seq int64) {
		if seq < 1 {
			return
		}
		for int64(len(hits))*64 < seq {
			hits = append(hits, 0)
		}
		hits[(seq-1)/64] |= 1 << ((seq - 1) % 64)
		if seq > c.n {
			late = append(late, seq)
			return
		}
		k.add(c, seq)
	})
	c.mu.RUnlock()
	if err != nil {
		return nil, err
	}
	if len(late) > 0 {
		if err := s.loadColumns(context.Background(), slices.Max(late)); err != nil {
			return nil, err
		}
		c.mu.RLock()
		if more := int(c.maxID) + 1 - len(k.counts); more > 0 {
			k.counts = append(k.counts, make([]int32, more)...)
		}
		for _, seq := range late {
			if seq <= c.n {
				k.add(c, seq)
			}
		}
		c.mu.RUnlock()
	}
	byField := map[string]map[int64]int{}
	for _, i := range cols {
		m := make(map[int64]int, len(k.seen[i]))
		for _, id := range k.seen[i] {
			m[int64(id)] = int(k.counts[id])
		}
		byField[TermFields[i]] = m
	}
	return s.topFacets(fields, size, byField, func() ([]FacetValue, error) {
		return s.hitTags(hits)
	})
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
