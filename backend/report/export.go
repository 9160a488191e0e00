package report

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"encoding/json"
	"io"
	"strings"
	"time"

	"auditlens/backend/audit"
)

// Export formats.
const (
	FormatCSV    = "csv"
	FormatNDJSON = "ndjson"
)

// CSVHeader names the columns of a CSV export.
var CSVHeader = []string{"id", "time", "format", "actor_id", "actor_name", "actor_email", "actor_type", "action",
	"category", "outcome", "targets", "ip", "user_agent", "session", "request", "message", "source", "changes",
	"tags", "notes", "raw_sha256", "time_no_zone"}

// CSVRecord is one event as a CSV export writes it, before neutralising:
// the normalized fields, time in RFC 3339 UTC, targets as "type:name; …",
// changes and notes (each with its id and time) as compact JSON ("" when
// none), tags joined by ", ", the SHA-256 of the raw record as imported
// (the investigator's marks and the record's hash go with it), and
// time_no_zone "true" where the record gave its time no zone.
func CSVRecord(ev *audit.Event) []string {
	return []string{ev.ID, ev.Time.UTC().Format(time.RFC3339Nano), ev.Format, ev.Actor.ID, ev.Actor.Name,
		ev.Actor.Email, ev.Actor.Type, ev.Action, ev.Category, ev.Outcome, Targets(ev.Targets), ev.IP,
		ev.UserAgent, ev.Session, ev.Request, ev.Message, SourceName(ev.Source), compactJSON(ev.Changes),
		strings.Join(ev.Tags, ", "), compactJSON(ev.Notes), ev.RawSHA256, noZone(ev)}
}

// noZone is "true" when the record gave its time no zone (read as UTC).
func noZone(ev *audit.Event) string {
	if ev.TimeNoZone {
		return "true"
	}
	return ""
}

// compactJSON is v as compact JSON, "" when it is empty.
func compactJSON[T any](v []T) string {
	if len(v) == 0 {
		return ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}

// WriteCSV writes a header and one row per event, every cell neutralised
// against formula injection (CSVText), and returns how many events it wrote.
func WriteCSV(w io.Writer, events Events) (int, error) {
	cw := csv.NewWriter(w) // buffered
	if err := cw.Write(CSVHeader); err != nil {
		return 0, err
	}
	n := 0
	for ev, err := range events {
		if err != nil {
			return n, err
		}
		rec := CSVRecord(ev)
		for i := range rec {
			rec[i] = CSVText(rec[i])
		}
		if err := cw.Write(rec); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
}

// WriteNDJSON writes one event a line, as `search --json` shows events,
// the raw record included, and returns how many it wrote. The encoder
// compacts the raw record (one line each); where that changed its bytes
// (a pretty-printed export, "key": value), raw_text holds them as they
// were imported, so that raw_sha256 can be checked from the file alone.
func WriteNDJSON(w io.Writer, events Events) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	var compact bytes.Buffer
	n := 0
	for ev, err := range events {
		if err != nil {
			return n, err
		}
		line := ndjsonEvent{Event: ev}
		compact.Reset()
		if len(ev.Raw) > 0 && (ev.Raw[0] == '{' || ev.Raw[0] == '[') && json.Compact(&compact, ev.Raw) == nil &&
			!bytes.Equal(compact.Bytes(), ev.Raw) { // (a record that is not JSON is written as a string, as it is)
			line.RawText = string(ev.Raw)
		}
		if err := enc.Encode(line); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
}

// ndjsonEvent is an event as an NDJSON export writes it.
type ndjsonEvent struct {
	*audit.Event
	RawText string `json:"raw_text,omitempty"`
}

// Export writes events in format (FormatCSV or FormatNDJSON).
func Export(w io.Writer, format string, events Events) (int, error) {
	switch format {
	case FormatCSV:
		return WriteCSV(w, events)
	case FormatNDJSON:
		return WriteNDJSON(w, events)
	}
	return 0, audit.Errorf(audit.EINVALID, "--format %q is not an export format: use csv or ndjson", format)
}
