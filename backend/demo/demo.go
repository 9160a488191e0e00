// Package demo generates a realistic, deterministic audit trail of an
// incident-management platform (ilert / PagerDuty-like): the audit log an
// investigator would receive from such a SaaS for the tenant "acme-oncall".
//
// It writes raw vendor records as NDJSON, one JSON object per line, oldest
// first, streaming: memory stays flat however many records are written (the
// generator keeps only the tenant's live resources and open alerts).
//
// The trail opens with the tenant's setup (users, teams, schedules,
// escalation policies, alert sources, services, webhooks, API keys), then
// follows a working rhythm in Europe/Berlin (approximated as a fixed +01:00):
// alerts are the bulk, then logins, configuration changes, user management
// and integrations. Every change carries full before/after state snapshots
// that chain per resource. Suspicious episodes (a night-time login from a new
// address, self-promotion to ADMIN, an admin API key and a webhook pointed
// outside) are hidden in it, about one per 20,000 records.
//
// Same Options, same bytes: all randomness comes from math/rand/v2 PCG
// streams seeded by Options.Seed, and nothing depends on the wall clock or
// on map iteration order.
package demo

import (
	"archive/zip"
	"bufio"
	"errors"
	"io"
	"os"
	"time"
)

// Options select the trail to generate.
type Options struct {
	Events int       // number of records to write (>0)
	Seed   uint64    // same seed + same options => byte-identical output
	End    time.Time // the newest record is before End; zero => 2026-11-01T00:00:00Z
	Days   int       // span of the trail in days; 0 => 180
}

const defaultDays = 180

var defaultEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

// normalized validates o and fills in the defaults.
func (o Options) normalized() (Options, error) {
	if o.Events <= 0 {
		return o, errors.New("demo: Events must be > 0")
	}
	if o.Days < 0 {
		return o, errors.New("demo: Days must be >= 0")
	}
	if o.Days == 0 {
		o.Days = defaultDays
	}
	if o.End.IsZero() {
		o.End = defaultEnd
	}
	o.End = o.End.UTC()
	return o, nil
}

// generate writes the records to sink, which gets each record's timestamp
// and its line (only valid during the call).
func generate(opts Options, sink func(time.Time, []byte) error) error {
	o, err := opts.normalized()
	if err != nil {
		return err
	}
	return newGen(o, sink).run()
}

// Generate writes opts.Events records as NDJSON (one object per line, "\n"
// after each) to w.
func Generate(opts Options, w io.Writer) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	err := generate(opts, func(_ time.Time, line []byte) error {
		_, err := bw.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	return bw.Flush()
}

// WriteZip writes the same records into a new zip file at path, split into
// one member per calendar month (UTC) named "audit-log/2026-05.ndjson" etc.,
// deflate-compressed, in chronological order. On error the partial file is
// removed.
func WriteZip(opts Options, path string) (err error) {
	if _, err := opts.normalized(); err != nil {
		return err
	}
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	defer func() {
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			os.Remove(path)
		}
	}()
	bw := bufio.NewWriterSize(f, 64<<10)
	zw := zip.NewWriter(bw)
	var member io.Writer
	month := ""
	err = generate(opts, func(t time.Time, line []byte) error {
		if m := t.Format("2006-01"); m != month {
			month = m
			first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
			var err error
			member, err = zw.CreateHeader(&zip.FileHeader{Name: "audit-log/" + m + ".ndjson", Method: zip.Deflate, Modified: first})
			if err != nil {
				return err
			}
		}
		_, err := member.Write(line)
		return err
	})
	if err != nil {
		return err
	}
	if err := zw.Close(); err != nil {
		return err
	}
	return bw.Flush()
}
