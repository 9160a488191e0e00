package audit

import "time"

// Source is one imported file or archive member: the provenance of its events.
type Source struct {
	ID              int64         `json:"id"`
	ParentID        int64         `json:"parent_id,omitempty"`
	Path            string        `json:"path"`
	Member          string        `json:"member"`
	Size            int64         `json:"size"`
	SHA256          string        `json:"sha256"`
	Digest          string        `json:"digest,omitempty"` // over the raw_sha256 of the events it added, in order
	Format          string        `json:"format"`
	ImporterVersion string        `json:"importer_version"`
	ImportedAt      time.Time     `json:"imported_at"`
	Events          int           `json:"events"`
	Duplicates      int           `json:"duplicates"`
	Rejected        int           `json:"rejected"`
	Fallback        int           `json:"fallback"`
	Errors          []RecordError `json:"errors"`
	Failed          string        `json:"failed,omitempty"` // why the source could not be read (whole or in part)
}

// Name is the short display name: the member if any, else the path.
func (s Source) Name() string {
	if s.Member != "" {
		return s.Member
	}
	return s.Path
}

// RecordError explains one rejected record.
type RecordError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}
