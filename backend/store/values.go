package store

import (
	"context"
	"fmt"
	"slices"
)

// The search index's documents leave out the fields the database keeps
// (search.Columns): a word query's term on one of them is answered from the
// columns, by each document's term id of the field (TermIDs) and the ids
// whose values the term matches (ValueIDs).

// TermIDs sets ids[i] to the term id of field (one of TermFields) of the
// event stored with seqs[i]: 0 for no value, or for a seq the database
// lacks. It reads the columns up to the greatest seq, if not read yet.
func (s *Store) TermIDs(field string, seqs []int64, ids []uint32) error {
	col, err := termColumnOf(field)
	if err != nil {
		return err
	}
	var newest int64
	for _, seq := range seqs {
		newest = max(newest, seq)
	}
	if newest > 0 {
		if err := s.loadColumns(context.Background(), newest); err != nil {
			return err
		}
	}
	c := &s.columns
	c.mu.RLock()
	defer c.mu.RUnlock()
	for i, seq := range seqs {
		ids[i] = 0
		if seq >= 1 && seq <= c.n { // (else the database lacks it)
			ids[i] = c.term(seq, col)
		}
	}
	return nil
}

// ValueIDs is a test of term ids (has): whether the id is one of field's
// values that match accepts (given each folded value once). An id newer
// than the test (an import going on) is looked up when asked about; failed
// is the error of such a look-up, after which has answers false. Not for
// use by two goroutines at once.
func (s *Store) ValueIDs(field string, match func(folded string) bool) (has func(id uint32) bool, failed func() error, err error) {
	if _, err := termColumnOf(field); err != nil {
		return nil, nil, err
	}
	var in []bool  // by term id: the value is field's and match accepts it
	var read int64 // every id up to this one is looked at
	refresh := func() error {
		var top int64
		if err := s.r.QueryRow(`SELECT coalesce(max(id), 0) FROM terms`).Scan(&top); err != nil {
			return err
		}
		rows, err := s.r.Query(`SELECT id, folded FROM terms WHERE field = ? AND id > ? AND id <= ?`, field, read, top)
		var id int64
		var folded string
		err = eachRow(rows, err, func() error {
			if err := rows.Scan(&id, &folded); err != nil {
				return err
			}
			for int64(len(in)) <= id {
				in = append(in, false)
			}
			in[id] = match(folded)
			return nil
		})
		if err == nil {
			read = top
		}
		return err
	}
	if err := refresh(); err != nil {
		return nil, nil, err
	}
	var lookUp error
	return func(id uint32) bool {
			if int64(id) > read && lookUp == nil {
				lookUp = refresh()
			}
			return int(id) < len(in) && in[id]
		}, func() error {
			return lookUp
		}, nil
}

// termColumnOf is field's place in TermFields (its column).
func termColumnOf(field string) (int, error) {
	col := slices.Index(TermFields, field)
	if col < 0 {
		return 0, fmt.Errorf("%q is not a field the database keeps", field)
	}
	return col, nil
}
