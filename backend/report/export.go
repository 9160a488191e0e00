package report

import (
	"bufio"
	"encoding/csv"
	"encoding/json"
	"io"
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
	"category", "outcome", "targets", "ip", "user_agent", "session", "request", "message", "source", "changes"}

// CSVRecord is one event as a CSV export writes it, before neutralising:
// the normalized fields, time in RFC 3339 UTC, targets as "type:name; …",
// changes as compact JSON ("" when none).
func CSVRecord(ev *audit.Event) []string {
	changes := ""
	if len(ev.Changes) > 0 {
		if b, err := json.Marshal(ev.Changes); err == nil {
			changes = string(b)
		}
	}
	return []string{ev.ID, ev.Time.UTC().Format(time.RFC3339Nano), ev.Format, ev.Actor.ID, ev.Actor.Name,
		ev.Actor.Email, ev.Actor.Type, ev.Action, ev.Category, ev.Outcome, Targets(ev.Targets), ev.IP,
		ev.UserAgent, ev.Session, ev.Request, ev.Message, SourceName(ev.Source), changes}
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
// the raw record included, and returns how many it wrote.
func WriteNDJSON(w io.Writer, events Events) (int, error) {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw) // compacts the raw record: one line each
	enc.SetEscapeHTML(false)
	n := 0
	for ev, err := range events {
		if err != nil {
			return n, err
		}
		if err := enc.Encode(ev); err != nil {
			return n, err
		}
		n++
	}
	return n, bw.Flush()
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
