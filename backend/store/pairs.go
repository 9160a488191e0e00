package store

import (
	"database/sql"
	"fmt"
)

// pairs counts, for two terms of different fields, the events that have
// both (term_pairs, migration 0013): the facets of a one-term filter over
// the whole case are then read, not counted row by row. A pair is counted
// once, its term of the earlier field first (a term is of one field, so
// that order is the same in every event), and written both ways.
type pairs map[[2]int64]int64

// add counts the pairs of one event's term ids (TermFields' order; 0 for
// none).
func (p pairs) add(ids [8]int64) {
	for i, a := range ids {
		if a == 0 {
			continue
		}
		for _, b := range ids[i+1:] {
			if b != 0 {
				p[[2]int64{a, b}]++
			}
		}
	}
}

// merge adds q's counts to p.
func (p pairs) merge(q pairs) {
	for k, n := range q {
		p[k] += n
	}
}

func (p pairs) write(tx *sql.Tx) error {
	if len(p) == 0 {
		return nil
	}
	stmt, err := tx.Prepare(`INSERT INTO term_pairs(a, b, n) VALUES(?, ?, ?) ON CONFLICT DO UPDATE SET n = n + excluded.n`)
	if err != nil {
		return err
	}
	defer stmt.Close()
	for k, n := range p {
		for _, ab := range [2][2]int64{k, {k[1], k[0]}} {
			if _, err := stmt.Exec(ab[0], ab[1], n); err != nil {
				return err
			}
		}
	}
	return nil
}

// A case's first import (a bulk load, bulk.go) does not write term_pairs
// batch by batch: each batch's thousand events have a few thousand pairs,
// each written both ways by an upsert: 4.8 s of the 145 s of CPU of a 1M
// import's profile (AUDITLENS_BENCH_EVENTS=1000000 go test
// ./backend/service -bench ImportDemo -cpuprofile). It keeps the pairs of
// the batches committed in memory (Store.laterPairs), writes them when they
// are many (laterPairsCap, in a batch's transaction) and at its end
// (EnsureIndexes), and only then marks term_pairs complete. Until then the facets are counted from the events
// (pairsComplete), and a load that is killed leaves term_pairs incomplete:
// fillPairs counts it anew.

// laterPairsCap is how many pairs a bulk load keeps before writing them
// (~50 bytes each in the map).
var laterPairsCap = 1 << 18

// pairsComplete says whether term_pairs holds every event's pairs.
func pairsComplete(db *sql.DB) (bool, error) {
	var done string
	err := db.QueryRow(`SELECT coalesce((SELECT value FROM meta WHERE key = 'term_pairs'), '')`).Scan(&done)
	return done == "1", err
}

// markPairsComplete marks term_pairs complete.
const markPairsComplete = `INSERT INTO meta(key, value) VALUES('term_pairs', '1') ON CONFLICT(key) DO UPDATE SET value = '1'`

// finishPairs completes term_pairs: with the pairs a bulk load kept, or
// counted from the events when it is not complete (fillPairs).
func (s *Store) finishPairs() error {
	if s.laterPairs == nil {
		return s.fillPairs()
	}
	tx, err := s.w.Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if err := s.laterPairs.write(tx); err != nil {
		return err
	}
	if _, err := tx.Exec(markPairsComplete); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return err
	}
	s.laterPairs = nil
	return nil
}

// pairsChunk is how many events fillPairs counts before writing.
var pairsChunk = 50000

// fillPairs counts term_pairs anew from the events' term ids, when they are
// not complete: a case made before migration 0013, whose terms were
// rebuilt, or whose first import was killed. Only the process that may
// import does it (EnsureIndexes): another would count the events of a
// bulk load that goes on. A fill that stops is begun again.
func (s *Store) fillPairs() error {
	if done, err := pairsComplete(s.w); err != nil || done {
		return err
	}
	if _, err := s.w.Exec(`DELETE FROM term_pairs`); err != nil {
		return err
	}
	for after := int64(0); ; {
		tx, err := s.w.Begin()
		if err != nil {
			return err
		}
		p := pairs{}
		var ids [8]int64
		ptrs := []any{&after}
		for i := range ids {
			ptrs = append(ptrs, &ids[i])
		}
		n := 0
		rows, err := tx.Query(`SELECT seq, `+termColumnList()+` FROM events WHERE seq > ? ORDER BY seq LIMIT ?`, after, pairsChunk)
		err = eachRow(rows, err, func() error {
			n++
			if err := rows.Scan(ptrs...); err != nil {
				return err
			}
			p.add(ids)
			return nil
		})
		if err == nil {
			err = p.write(tx)
		}
		if err == nil && n < pairsChunk {
			_, err = tx.Exec(markPairsComplete)
		}
		if err != nil {
			tx.Rollback()
			return fmt.Errorf("counting term pairs: %w", err)
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		if n < pairsChunk {
			return nil
		}
	}
}
