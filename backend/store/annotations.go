package store

import (
	"database/sql"
	"time"

	"auditlens/backend/audit"
)

// SetTag adds (or, with remove, takes off) a tag of an event; changed is
// false when there was nothing to do.
func (s *Store) SetTag(eventID, tag string, remove bool) (changed bool, err error) {
	tx, err := s.w.Begin()
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var res sql.Result
	if remove {
		res, err = tx.Exec(`DELETE FROM event_tags WHERE event_id = ? AND tag = ?`, eventID, tag)
	} else {
		res, err = tx.Exec(`INSERT INTO event_tags(event_id, tag, at) VALUES(?, ?, ?) ON CONFLICT DO NOTHING`, eventID, tag, time.Now().UnixNano())
	}
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	// The event's search document is now stale: noted with the change, and
	// forgotten once written again (IndexWritten).
	if _, err := tx.Exec(`INSERT INTO index_pending(event_id) VALUES(?) ON CONFLICT DO UPDATE SET n = n + 1`, eventID); err != nil {
		return false, err
	}
	return true, tx.Commit()
}

// Pending is an event whose search document is stale, its seq (0 when the
// event is not in the case), and which change of its tags that is (a count).
type Pending struct {
	EventID string
	Seq     int64
	N       int64
}

// IndexPending lists the events whose search documents are stale: their
// tags changed since the index last wrote them.
func (s *Store) IndexPending() ([]Pending, error) {
	rows, err := s.r.Query(`SELECT p.event_id, coalesce(e.seq, 0), p.n FROM index_pending p
		LEFT JOIN events e ON e.id = p.event_id ORDER BY p.event_id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ps []Pending
	for rows.Next() {
		var p Pending
		if err := rows.Scan(&p.EventID, &p.Seq, &p.N); err != nil {
			return nil, err
		}
		ps = append(ps, p)
	}
	return ps, rows.Err()
}

// IndexWritten forgets p once the index has the event's document as it was
// when p was listed; a change of its tags since keeps it stale.
func (s *Store) IndexWritten(p Pending) error {
	_, err := s.w.Exec(`DELETE FROM index_pending WHERE event_id = ? AND n = ?`, p.EventID, p.N)
	return err
}

// AddNote writes a note on an event.
func (s *Store) AddNote(eventID, text string) (*audit.Note, error) {
	at := time.Now().UTC()
	res, err := s.w.Exec(`INSERT INTO notes(event_id, text, at) VALUES(?, ?, ?)`, eventID, text, at.UnixNano())
	if err != nil {
		return nil, err
	}
	id, _ := res.LastInsertId()
	return &audit.Note{ID: id, Text: text, At: at}, nil
}

// Notes lists an event's notes, oldest first.
func (s *Store) Notes(eventID string) ([]audit.Note, error) {
	rows, err := s.r.Query(`SELECT id, text, at FROM notes WHERE event_id = ? ORDER BY id`, eventID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []audit.Note{}
	for rows.Next() {
		var n audit.Note
		var at int64
		if err := rows.Scan(&n.ID, &n.Text, &at); err != nil {
			return nil, err
		}
		n.At = time.Unix(0, at).UTC()
		out = append(out, n)
	}
	return out, rows.Err()
}

// SavedSearch is a named query and range.
type SavedSearch struct {
	Name  string `json:"name"`
	Query string `json:"q"`
	From  string `json:"from"`
	To    string `json:"to"`
}

// SaveSearch stores (or replaces) a named search.
func (s *Store) SaveSearch(ss SavedSearch) error {
	_, err := s.w.Exec(`INSERT INTO saved_searches(name, query, "from", "to", at) VALUES(?, ?, ?, ?, ?)
		ON CONFLICT(name) DO UPDATE SET query = excluded.query, "from" = excluded."from", "to" = excluded."to", at = excluded.at`,
		ss.Name, ss.Query, ss.From, ss.To, time.Now().UnixNano())
	return err
}

// DeleteSearch removes a named search.
func (s *Store) DeleteSearch(name string) (bool, error) {
	res, err := s.w.Exec(`DELETE FROM saved_searches WHERE name = ?`, name)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// SavedSearches lists the named searches by name.
func (s *Store) SavedSearches() ([]SavedSearch, error) {
	rows, err := s.r.Query(`SELECT name, query, "from", "to" FROM saved_searches ORDER BY name`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []SavedSearch{}
	for rows.Next() {
		var ss SavedSearch
		if err := rows.Scan(&ss.Name, &ss.Query, &ss.From, &ss.To); err != nil {
			return nil, err
		}
		out = append(out, ss)
	}
	return out, rows.Err()
}
