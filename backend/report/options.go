// Package report writes what an auditor files: an Excel workbook of the
// events matching a query (summary, events, changes, actors, provenance) and
// plain CSV or NDJSON exports. It knows nothing of cases or indexes: it takes
// an iterator of events, the sources and options, and streams, so that a
// million events are written in bounded memory.
package report

import (
	"iter"
	"os"
	"strings"
	"time"

	"auditlens/backend/audit"
)

// MaxRows is how many rows a sheet holds, its header included: Excel's
// limit. Past it, rows go on "Events (2)", "Events (3)", … A variable so
// tests can lower it and see the continuation sheets.
var MaxRows = 1_048_576

// TopN caps the top-actor, top-action and top-IP lists of the summary.
const TopN = 20

// Sheet keys, as --sheets names them, in the order the workbook has them.
const (
	SheetSummary = "summary"
	SheetEvents  = "events"
	SheetChanges = "changes"
	SheetActors  = "actors"
	SheetSources = "sources"
)

// AllSheets lists every sheet key in workbook order.
var AllSheets = []string{SheetSummary, SheetEvents, SheetChanges, SheetActors, SheetSources}

// Events is what a report reads: events newest first, or an error that
// stops the report.
type Events = iter.Seq2[*audit.Event, error]

// Options describe a report: what was asked, and how to show it.
type Options struct {
	Case     string         // the case's name, shown on the summary
	Query    string         // the query text ("" = every event)
	From, To time.Time      // the query's time range; zero = open
	Location *time.Location // the zone times are shown in; nil = UTC
	Sheets   []string       // sheet keys to write; nil = all
	Version  string         // the auditlens version that made it
	LogHead  string         // the case's activity log head ("#N hash") the report was made at
	Now      time.Time      // when it was made; zero = now
	// TempDir holds the streamed sheets until the zip is written (about
	// 1 KB an event, uncompressed); "" = the system's. Choose a disk, not
	// a tmpfs, for large reports: a RAM-backed /tmp would hold them in memory.
	TempDir string
}

// ParseSheets reads --sheets: a comma-separated list of sheet keys.
func ParseSheets(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	var out []string
	for _, k := range strings.Split(s, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k == "" {
			continue
		}
		if !contains(AllSheets, k) {
			return nil, audit.Errorf(audit.EINVALID, "--sheets: %q is not a sheet; choose from %s", k, strings.Join(AllSheets, ","))
		}
		if !contains(out, k) {
			out = append(out, k)
		}
	}
	return out, nil
}

func (o Options) wants(sheet string) bool { return o.Sheets == nil || contains(o.Sheets, sheet) }

func (o Options) loc() *time.Location {
	if o.Location == nil {
		return time.UTC
	}
	return o.Location
}

// zoneName names loc as a reader can look it up: Go calls the machine's
// own zone "Local", which says nothing to whoever reads the report on
// another machine. The zone's name is then $TZ, or the zone file
// /etc/localtime links to (/usr/share/zoneinfo/Europe/Berlin).
func zoneName(loc *time.Location) string {
	if loc != time.Local {
		return loc.String()
	}
	if tz := strings.TrimPrefix(os.Getenv("TZ"), ":"); tz != "" && !strings.HasPrefix(tz, "/") {
		return tz
	}
	if link, err := os.Readlink("/etc/localtime"); err == nil {
		if _, name, ok := strings.Cut(link, "zoneinfo/"); ok && name != "" {
			return name
		}
	}
	return "the machine's local time, " + time.Now().In(loc).Format("MST -07:00")
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Summary is what a report found, as its Summary sheet shows it.
type Summary struct {
	Case         string    `json:"case"`
	Query        string    `json:"query"`
	From         time.Time `json:"from"`
	To           time.Time `json:"to"`
	Generated    time.Time `json:"generated"`
	Version      string    `json:"version"`
	LogHead      string    `json:"log_head,omitempty"`
	Zone         string    `json:"zone"`
	Events       int       `json:"events"`
	Changes      int       `json:"changes"`
	Actors       int       `json:"actors"`
	Sources      int       `json:"sources"`
	First        time.Time `json:"first"`  // the oldest matching event
	Last         time.Time `json:"last"`   // the newest
	Sheets       []string  `json:"sheets"` // the sheets written, in order
	ByCategory   []Count   `json:"by_category"`
	ByOutcome    []Count   `json:"by_outcome"`
	ByDay        []Count   `json:"by_day"` // in the report's zone, oldest first
	TopActors    []Count   `json:"top_actors"`
	TopActions   []Count   `json:"top_actions"`
	TopIPs       []Count   `json:"top_ips"`
	FailedLogins int       `json:"failed_logins"` // category access, outcome failure
	FailedActors []Count   `json:"failed_login_actors"`
	FailedIPs    []Count   `json:"failed_login_ips"`
}

// Count is one row of a breakdown.
type Count struct {
	Key string `json:"key"`
	N   int    `json:"n"`
}
