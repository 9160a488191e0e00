package store

import (
	"strings"
)

// DisplayFields are the facet fields whose values have a case worth keeping.
var DisplayFields = []string{"action", "actor.label", "source"}

// RememberDisplay records how values are spelled, in the batch's transaction.
func (b *Batch) RememberDisplay(field, value string) error {
	if value == "" {
		return nil
	}
	folded := strings.ToLower(value)
	if folded == value {
		return nil // nothing to give back
	}
	key := field + "\x00" + folded
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	if b.seen[key] {
		return nil
	}
	b.seen[key] = true
	_, err := b.tx.Exec(`INSERT INTO display_values(field, folded, value) VALUES(?, ?, ?) ON CONFLICT DO NOTHING`, field, folded, value)
	return err
}

// Display maps lower-cased values of field back to their spelling; values
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
	rows, err := s.r.Query(`SELECT folded, value FROM display_values WHERE field = ? AND folded IN (?`+strings.Repeat(",?", len(folded)-1)+`)`, args...)
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
