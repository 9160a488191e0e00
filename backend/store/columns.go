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
// 32 bytes an event (32 MiB at 1M), in chunks so that growing never copies.
type columns struct {
	mu     sync.RWMutex
	n      int64      // seqs 1..n are loaded
	chunks [][]uint32 // chunk i holds seqs i<<columnShift+1 …, len(TermFields) ids each
	maxID  uint32     // the greatest term id loaded
}

var columnShift = 16 // events a chunk: 65,536 (a variable for the tests)

// at gives the ids of seq, which must be loaded (1 ≤ seq ≤ n).
func (c *columns) at(seq int64) []uint32 {
	i := seq - 1
	chunk := c.chunks[i>>columnShift]
	off := int(i&(1<<columnShift-1)) * len(TermFields)
	return chunk[off : off+len(TermFields)]
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
		row := c.at(seq)
		for i, id := range ids {
			if id < 0 || id > 1<<32-1 {
				return fmt.Errorf("event %d: term id %d out of range", seq, id)
			}
			row[i] = uint32(id)
			c.maxID = max(c.maxID, uint32(id))
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

// grow makes room for the ids of seqs up to seq.
func (c *columns) grow(seq int64) {
	for int64(len(c.chunks))<<columnShift < seq {
		c.chunks = append(c.chunks, make([]uint32, len(TermFields)<<columnShift))
	}
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
	counts := make([]int32, c.maxID+1) // term ids are one numbering over every field
	seen := make([][]uint32, len(TermFields))
	count := func(seq int64) {
		row := c.at(seq)
		for _, i := range cols {
			if id := row[i]; id != 0 {
				if counts[id]++; counts[id] == 1 {
					seen[i] = append(seen[i], id)
				}
			}
		}
	}
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
		count(seq)
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
		if c.maxID+1 > uint32(len(counts)) {
			counts = append(counts, make([]int32, int(c.maxID)+1-len(counts))...)
		}
		for _, seq := range late {
			if seq <= c.n {
				count(seq)
			}
		}
		c.mu.RUnlock()
	}
	byField := map[string]map[int64]int{}
	for _, i := range cols {
		m := make(map[int64]int, len(seen[i]))
		for _, id := range seen[i] {
			m[int64(id)] = int(counts[id])
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
