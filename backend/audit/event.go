// Package audit holds the domain types of auditlens: the normalized event,
// its parts, the query, and the error codes every layer speaks.
package audit

import (
	"encoding/json"
	"time"
)

// Categories: the same meaning across vendors, so facets compare.
const (
	CategoryConfiguration = "configuration"
	CategoryAlert         = "alert"
	CategoryUser          = "user"
	CategoryAccess        = "access"
	CategoryIntegration   = "integration"
	CategoryData          = "data"
	CategoryOther         = "other"
)

// Categories lists every category in display order.
var Categories = []string{CategoryConfiguration, CategoryAlert, CategoryUser,
	CategoryAccess, CategoryIntegration, CategoryData, CategoryOther}

// Outcomes.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeUnknown = "unknown"
)

// Actor types.
const (
	ActorUser    = "user"
	ActorService = "service"
	ActorSystem  = "system"
	ActorAPIKey  = "api_key"
)

// Event is one normalized audit record. JSON names are the contract of the
// CLI's --json, the HTTP API and exports.
type Event struct {
	ID         string    `json:"id"`
	Time       time.Time `json:"time"`
	TimeNoZone bool      `json:"time_no_zone,omitempty"` // the record's time had no zone; read as UTC
	Format     string    `json:"format"`
	Source     SourceRef `json:"source"`
	Category   string    `json:"category"`
	Action     string    `json:"action"`
	Outcome    string    `json:"outcome"`
	Actor      Actor     `json:"actor"`
	Targets    []Target  `json:"targets"`
	IP         string    `json:"ip"`
	UserAgent  string    `json:"user_agent"`
	Session    string    `json:"session"`
	Request    string    `json:"request"`
	Message    string    `json:"message"`
	Changes    []Change  `json:"changes"`
	Raw        RawRecord `json:"raw"`
	RawSHA256  string    `json:"raw_sha256"` // of Raw, as imported: verify re-hashes it
	Tags       []string  `json:"tags"`       // the investigator's tags ("starred" is the star)
	Notes      []Note    `json:"notes,omitempty"`
}

// SourceRef names the Source an event came from.
type SourceRef struct {
	ID     int64  `json:"id"`
	Name   string `json:"name"`
	Member string `json:"member"`
}

// Actor is who did it.
type Actor struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email"`
	Type  string `json:"type"`
}

// Label is the best single human name of the actor.
func (a Actor) Label() string {
	switch {
	case a.Email != "":
		return a.Email
	case a.Name != "":
		return a.Name
	default:
		return a.ID
	}
}

// Empty reports whether nothing is known of the actor.
func (a Actor) Empty() bool { return a.ID == "" && a.Name == "" && a.Email == "" }

// Target is what the action was done to.
type Target struct {
	Type string `json:"type"`
	ID   string `json:"id"`
	Name string `json:"name"`
}

// Label is the best single human name of the target.
func (t Target) Label() string {
	if t.Name != "" {
		return t.Name
	}
	return t.ID
}

// Note is an investigator's note on an event.
type Note struct {
	ID   int64     `json:"id"`
	Text string    `json:"text"`
	At   time.Time `json:"at"`
}

// Change is one changed field: before and after are JSON values (nil = absent).
type Change struct {
	Path   string `json:"path"`
	Before any    `json:"before"`
	After  any    `json:"after"`
}

// RawRecord is the original record, byte-for-byte. In JSON it is the record
// itself when it is a JSON object or array, else (a CSV row, an auditd
// line) a string.
type RawRecord []byte

// MarshalJSON writes a JSON record as it is and any other record as a string.
func (r RawRecord) MarshalJSON() ([]byte, error) {
	if len(r) > 0 && (r[0] == '{' || r[0] == '[') && json.Valid(r) {
		return r, nil
	}
	return json.Marshal(string(r))
}

// UnmarshalJSON keeps a JSON record as it is and a string's text.
func (r *RawRecord) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*r = RawRecord(s)
		return nil
	}
	*r = append((*r)[:0], b...)
	return nil
}
