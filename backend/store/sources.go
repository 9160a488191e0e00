package store

import (
	"encoding/json"
	"time"

	"auditlens/backend/audit"
)

// CreateSource records a source as begun (incomplete) and sets its ID.
func (s *Store) CreateSource(src *audit.Source) error {
	if src.ImportedAt.IsZero() {
		src.ImportedAt = time.Now().UTC()
	}
	var parent any
	if src.ParentID != 0 {
		parent = src.ParentID
	}
	res, err := s.w.Exec(`INSERT INTO sources(parent_id, path, member, format, importer_version, imported_at)
		VALUES(?, ?, ?, ?, ?, ?)`, parent, src.Path, src.Member, src.Format, src.ImporterVersion, src.ImportedAt.UnixNano())
	if err != nil {
		return err
	}
	src.ID, err = res.LastInsertId()
	return err
}

// FinishSource stores the final hash, size, format and counts of a source.
func (s *Store) FinishSource(src *audit.Source) error {
	errs, _ := json.Marshal(nonNil(src.Errors))
	_, err := s.w.Exec(`UPDATE sources SET size = ?, sha256 = ?, format = ?, events = ?, duplicates = ?,
		rejected = ?, fallback = ?, errors = ?, failed = ?, digest = ?, complete = 1 WHERE id = ?`,
		src.Size, src.SHA256, src.Format, src.Events, src.Duplicates, src.Rejected, src.Fallback,
		string(errs), src.Failed, src.Digest, src.ID)
	return err
}

func nonNil(e []audit.RecordError) []audit.RecordError {
	if e == nil {
		return []audit.RecordError{}
	}
	return e
}

// ImportUnfinished is a source's Failed while it is being imported, and
// after an import stopped without a word (killed).
const ImportUnfinished = "import did not finish"

// Sources lists every source in import order.
func (s *Store) Sources() ([]audit.Source, error) {
	rows, err := s.r.Query(`SELECT id, coalesce(parent_id, 0), path, member, size, sha256, format, importer_version,
		imported_at, events, duplicates, rejected, fallback, errors, failed, complete, digest FROM sources ORDER BY id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []audit.Source
	for rows.Next() {
		var src audit.Source
		var at int64
		var errs string
		var complete bool
		if err := rows.Scan(&src.ID, &src.ParentID, &src.Path, &src.Member, &src.Size, &src.SHA256, &src.Format,
			&src.ImporterVersion, &at, &src.Events, &src.Duplicates, &src.Rejected, &src.Fallback, &errs,
			&src.Failed, &complete, &src.Digest); err != nil {
			return nil, err
		}
		src.ImportedAt = time.Unix(0, at).UTC()
		json.Unmarshal([]byte(errs), &src.Errors)
		if !complete && src.Failed == "" {
			src.Failed = ImportUnfinished
		}
		out = append(out, src)
	}
	return out, rows.Err()
}
