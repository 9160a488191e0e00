package store

import (
	"database/sql"
	"fmt"
	"strings"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/token/lowercase"

	"auditlens/backend/audit"
)

// TermFields are the keyword fields SQLite answers for: each has a column
// of term ids on events (with an index by time) and its values in terms.
// Queries naming only these fields never touch the search index.
var TermFields = []string{"category", "action", "outcome", "actor.label", "actor.email", "ip", "format", "source"}

// termColumn is the events column holding a field's term id.
var termColumn = map[string]string{
	"category": "k_category", "action": "k_action", "outcome": "k_outcome", "actor.label": "k_actor_label",
	"actor.email": "k_actor_email", "ip": "k_ip", "format": "k_format", "source": "k_source",
}

// termColumnList is the term columns in TermFields' order, for a SELECT.
func termColumnList() string {
	cols := make([]string, len(TermFields))
	for i, f := range TermFields {
		cols[i] = termColumn[f]
	}
	return strings.Join(cols, ", ")
}

// DisplayFields are the facet fields whose values have a case worth keeping.
var DisplayFields = []string{"action", "actor.label", "source"}

// allField is the term every event has: its n is the number of events.
const allField = "*"

var folder = lowercase.NewLowerCaseFilter()

// Fold is a value as the search index keeps a keyword (Bleve's lower-case
// filter, so both sides of a query agree on every rune).
func Fold(s string) string {
	ascii := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= 0x80 || ('A' <= c && c <= 'Z') {
			ascii = false
			break
		}
	}
	if ascii {
		return s
	}
	ts := folder.Filter(analysis.TokenStream{&analysis.Token{Term: []byte(s)}})
	return string(ts[0].Term)
}

// termValues are an event's values of TermFields, in that order.
func termValues(ev *audit.Event) [8]string {
	return [8]string{ev.Category, ev.Action, ev.Outcome, ev.Actor.Label(), ev.Actor.Email, ev.IP, ev.Format, ev.Source.Name}
}

// hourOf is the timeline's hour of a time in unix nanoseconds.
func hourOf(ns int64) int64 {
	h := ns / 3_600_000_000_000
	if ns < 0 && ns%3_600_000_000_000 != 0 {
		h--
	}
	return h
}

// tally is what one batch adds to terms.n, timeline and term_pairs,
// written at commit.
type tally struct {
	terms    map[int64]int64
	timeline map[[3]int64]int64
	pairs    pairs
}

func (t *tally) add(ids [8]int64, all int64, ns int64) {
	if t.terms == nil {
		t.terms, t.timeline, t.pairs = map[int64]int64{}, map[[3]int64]int64{}, pairs{}
	}
	t.pairs.add(ids)
	for _, id := range ids {
		if id != 0 {
			t.terms[id]++
		}
	}
	t.terms[all]++
	t.timeline[[3]int64{hourOf(ns), ids[0], ids[2]}]++
}

// write writes the counts, and the pairs unless a bulk load keeps them
// (Batch.Commit).
func (t *tally) write(tx *sql.Tx, withPairs bool) error {
	for id, n := range t.terms {
		if _, err := tx.Exec(`UPDATE terms SET n = n + ? WHERE id = ?`, n, id); err != nil {
			return err
		}
	}
	for k, n := range t.timeline {
		if _, err := tx.Exec(`INSERT INTO timeline(hour, k_category, k_outcome, n) VALUES(?, ?, ?, ?)
			ON CONFLICT DO UPDATE SET n = n + excluded.n`, k[0], k[1], k[2], n); err != nil {
			return err
		}
	}
	if withPairs {
		return t.pairs.write(tx)
	}
	return nil
}

// termKey names a term in the writer's cache (a struct: no string is
// built per value of every imported event).
type termKey struct{ field, folded string }

// termID gives the id of (field, value), adding the term in the batch's
// transaction when it is new; 0 for an empty value (no term, as in the
// index). The store caches ids; ones added by a batch that is rolled back
// are forgotten.
func (b *Batch) termID(field, value string) (int64, error) {
	if value == "" {
		return 0, nil
	}
	folded := Fold(value)
	key := termKey{field, folded}
	if id, ok := b.s.termIDs[key]; ok {
		return id, nil
	}
	var id int64
	err := b.tx.QueryRow(`SELECT id FROM terms WHERE field = ? AND folded = ?`, field, folded).Scan(&id)
	if err == sql.ErrNoRows {
		err = b.tx.QueryRow(`INSERT INTO terms(field, folded, display) VALUES(?, ?, ?) RETURNING id`, field, folded, value).Scan(&id)
		b.added = append(b.added, key)
	}
	if err != nil {
		return 0, fmt.Errorf("term %s=%q: %v", field, value, err)
	}
	b.s.termIDs[key] = id
	return id, nil
}

func (b *Batch) eventTerms(ev *audit.Event) (ids [8]int64, err error) {
	for i, v := range termValues(ev) {
		if ids[i], err = b.termID(TermFields[i], v); err != nil {
			return ids, err
		}
	}
	if b.all == 0 {
		b.all, err = b.allTerm()
	}
	return ids, err
}

func (b *Batch) allTerm() (int64, error) {
	var id int64
	err := b.tx.QueryRow(`INSERT INTO terms(field, folded, display) VALUES(?, '', '') ON CONFLICT DO UPDATE SET n = n RETURNING id`, allField).Scan(&id)
	return id, err
}

// Display maps folded values of field back to their first spelling; values
// it does not know are returned as they are.
func (s *Store) Display(field string, folded []string) (map[string]string, error) {
	out := make(map[string]string, len(folded))
	if len(folded) == 0 {
		return out, nil
	}
	args := []any{field}
	for _, f := range folded {
		args = append(args, f)
		out[f] = f
	}
	rows, err := s.r.Query(`SELECT folded, display FROM terms WHERE field = ? AND folded IN (?`+strings.Repeat(",?", len(folded)-1)+`)`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var f, v string
		if err := rows.Scan(&f, &v); err != nil {
			return nil, err
		}
		out[f] = v
	}
	return out, rows.Err()
}

// EventCount is the number of events in the case.
func (s *Store) EventCount() (uint64, error) {
	var n sql.NullInt64
	err := s.r.QueryRow(`SELECT n FROM terms WHERE field = ?`, allField).Scan(&n)
	if err == sql.ErrNoRows {
		return 0, nil
	}
	return uint64(n.Int64), err
}

// rebuildTerms fills the term columns, terms.n and the timeline of a case
// made before they existed (migration 0006), in batches, once.
func (s *Store) rebuildTerms() error {
	var done string
	if err := s.w.QueryRow(`SELECT coalesce((SELECT value FROM meta WHERE key = 'terms'), '')`).Scan(&done); err != nil || done == "1" {
		return err
	}
	if s.readOnly {
		return needsWriting("was made by an older auditlens: the values of its events must be counted again to be read by this one")
	}
	// The terms get new ids: term_pairs is counted again after
	// (fillPairs), where there are events.
	if _, err := s.w.Exec(`DELETE FROM meta WHERE key = 'term_pairs' AND EXISTS (SELECT 1 FROM events)`); err != nil {
		return err
	}
	after := int64(0)
	for {
		b, err := s.BeginBatch()
		if err != nil {
			return err
		}
		type row struct {
			seq, ns int64
			ev      audit.Event
		}
		var batch []row
		var r row
		var detail []byte
		var how int
		rows, err := b.tx.Query(`SELECT e.seq, e.time_ns, e.category, e.action, e.outcome, e.actor_id, e.actor_name,
			e.actor_email, e.ip, e.format, e.detail, e.detail_zstd, coalesce(s.path, '')
			FROM events e LEFT JOIN sources s ON s.id = e.source_id WHERE e.seq > ? ORDER BY e.seq LIMIT 5000`, after)
		err = eachRow(rows, err, func() error {
			r.ev = audit.Event{}
			if err := rows.Scan(&r.seq, &r.ns, &r.ev.Category, &r.ev.Action, &r.ev.Outcome, &r.ev.Actor.ID, &r.ev.Actor.Name,
				&r.ev.Actor.Email, &r.ev.IP, &r.ev.Format, &detail, &how, &r.ev.Source.Name); err != nil {
				return err
			}
			if err := s.readDetail(r.seq, detail, how, "", "", &r.ev); err != nil {
				return fmt.Errorf("event %d: %w", r.seq, err)
			}
			batch = append(batch, r)
			return nil
		})
		if err != nil {
			b.Rollback()
			return err
		}
		for _, r := range batch {
			ids, err := b.eventTerms(&r.ev)
			if err == nil {
				_, err = b.tx.Exec(`UPDATE events SET k_category=?, k_action=?, k_outcome=?, k_actor_label=?, k_actor_email=?,
					k_ip=?, k_format=?, k_source=? WHERE seq = ?`, ids[0], ids[1], ids[2], ids[3], ids[4], ids[5], ids[6], ids[7], r.seq)
			}
			if err != nil {
				b.Rollback()
				return err
			}
			b.tally.add(ids, b.all, r.ns)
			after = r.seq
		}
		if len(batch) == 0 {
			if _, err := b.tx.Exec(`INSERT INTO meta(key, value) VALUES('terms', '1') ON CONFLICT(key) DO UPDATE SET value = '1'`); err != nil {
				b.Rollback()
				return err
			}
		}
		if err := b.Commit(); err != nil {
			return err
		}
		if len(batch) == 0 {
			return nil
		}
	}
}
