package store

import (
	"context"
	"slices"

	"auditlens/backend/audit"
)

// Values is a test of events by their value of field (one of TermFields),
// for the search index, whose documents leave these fields out
// (search.Columns): the values of field that match accepts, by their term
// id, and each event's id of field in the columns. It reads the columns of
// the events it is asked about, if they are not read yet, and the terms
// the columns hold that are newer than the test (an import goes on).
func (s *Store) Values(field string, match func(folded string) bool) (func(seqs []int64, keep func(i int)) error, error) {
	col := slices.Index(TermFields, field)
	if col < 0 {
		return nil, audit.Errorf(audit.EINTERNAL, "no term column for %q", field)
	}
	var in []bool  // by term id: the value is field's and match accepts it
	var read int64 // the greatest id looked at
	more := func(upto int64) error {
		rows, err := s.r.Query(`SELECT id, folded FROM terms WHERE field = ? AND id > ? AND id <= ?`, field, read, upto)
		var id int64
		var folded string
		err = eachRow(rows, err, func() error {
			if err := rows.Scan(&id, &folded); err != nil {
				return err
			}
			if match(folded) {
				for int64(len(in)) <= id {
					in = append(in, false)
				}
				in[id] = true
			}
			return nil
		})
		if err == nil {
			read = upto
		}
		return err
	}
	return func(seqs []int64, keep func(i int)) error {
		var newest int64
		for _, seq := range seqs {
			newest = max(newest, seq)
		}
		if newest == 0 {
			return nil
		}
		if err := s.loadColumns(context.Background(), newest); err != nil {
			return err
		}
		c := &s.columns
		c.mu.RLock()
		defer c.mu.RUnlock()
		if int64(c.maxID) > read {
			if err := more(int64(c.maxID)); err != nil {
				return err
			}
		}
		if c.wide != nil {
			keepValues(c.wide, c.n, col, in, seqs, keep)
		} else {
			keepValues(c.narrow, c.n, col, in, seqs, keep)
		}
		return nil
	}, nil
}

// keepValues calls keep for each of seqs (loaded up to n) whose id of
// column col is in; chunks are the columns' ids (columns.slot).
func keepValues[T uint16 | uint32](chunks [][]T, n int64, col int, in []bool, seqs []int64, keep func(int)) {
	for i, seq := range seqs {
		if seq < 1 || seq > n {
			continue // the database lacks it
		}
		s := seq - 1
		if id := chunks[s>>columnShift][int(s&(1<<columnShift-1))*len(TermFields)+col]; int(id) < len(in) && in[id] {
			keep(i)
		}
	}
}
