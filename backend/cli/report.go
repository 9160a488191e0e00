package cli

import (
	"fmt"
	"io"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
	"auditlens/backend/report"
	"auditlens/backend/service"
)

func reportCmd(env Env, caseDir *string) *cobra.Command {
	var query, from, to, tz, sheets, out string
	cmd := &cobra.Command{
		Use:   "report [--query Q] [--from T] [--to T] [--tz ZONE] [--sheets LIST] --out FILE.xlsx",
		Short: "Write an Excel report of the matching events: summary, events, changes, actors, sources",
		Long: `Write an Excel workbook an auditor can file: a Summary (totals, breakdowns by category,
outcome and day with a chart, top actors, actions and IPs, failed logins), the Events,
every Changed field, the Actors, and the Sources with their SHA-256. Times are shown in
--tz (UTC, Local or an IANA zone such as Europe/Berlin), and a date or a time without an
offset given to --from or --to is read there. --sheets chooses the sheets:
summary,events,changes,actors,sources (default: all).`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			// The streamed sheets wait beside the output, on its disk: /tmp may be RAM.
			opts := report.Options{Version: Version, TempDir: filepath.Dir(out)}
			var err error
			if opts.Location, err = parseZone(tz); err != nil {
				return err
			}
			q, err := queryFlags(query, from, to, opts.Location) // (a day of the report's zone)
			if err != nil {
				return err
			}
			if opts.Sheets, err = report.ParseSheets(sheets); err != nil {
				return err
			}
			if out == "" || out == "-" {
				return audit.Errorf(audit.EINVALID, "--out: name the .xlsx file to write")
			}
			c, err := openCaseForStreaming(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			// A soft limit on Go's memory: the collector works harder
			// instead of letting the heap double (a freshly imported case
			// of a million events: 376 MB peak RSS, 418 MB at 300 MiB).
			defer debug.SetMemoryLimit(debug.SetMemoryLimit(reportMemory))
			ctx, stop := interruptible(cmd)
			defer stop()
			var sum *report.Summary
			err = service.WriteAtomic(out, func(w io.Writer) error {
				sum, err = c.Report(ctx, q, opts, w)
				return err
			})
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(out)
			if err := c.LogWrite("report", q, abs, sum.Events); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "wrote %s: %d events, %d changes, %d actors, %d sources (sheets: %s)\n",
				out, sum.Events, sum.Changes, sum.Actors, sum.Sources, strings.Join(sum.Sheets, ", "))
			return nil
		},
	}
	cmd.Flags().StringVar(&query, "query", "", "only events matching this query (as for search; '' = all)")
	cmd.Flags().StringVar(&from, "from", "", "only events at or after this time (RFC 3339 or date)")
	cmd.Flags().StringVar(&to, "to", "", "only events before this time (a date includes that day)")
	cmd.Flags().StringVar(&tz, "tz", "UTC", "time zone of the times shown: UTC, Local or an IANA name")
	cmd.Flags().StringVar(&sheets, "sheets", "", "sheets to write, comma-separated (default all): "+strings.Join(report.AllSheets, ","))
	cmd.Flags().StringVar(&out, "out", "", "the .xlsx file to write (required)")
	return cmd
}

// queryFlags reads --query, --from and --to, a date or a time without an
// offset in loc.
func queryFlags(query, from, to string, loc *time.Location) (audit.Query, error) {
	q := audit.Query{Text: query}
	var err error
	if q.From, err = parseFlagTime("from", from, false, loc); err != nil {
		return q, err
	}
	q.To, err = parseFlagTime("to", to, true, loc)
	return q, err
}

// parseZone reads --tz. The zone database is embedded (time/tzdata, via
// package report), so names work on a machine without one.
func parseZone(s string) (*time.Location, error) {
	switch s {
	case "", "UTC", "utc":
		return time.UTC, nil
	case "Local", "local":
		return time.Local, nil
	}
	loc, err := time.LoadLocation(s)
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "--tz %q is not a time zone: use UTC, Local or an IANA name such as Europe/Berlin", s)
	}
	return loc, nil
}

// reportMemory is the soft memory limit of the report command.
const reportMemory = 200 << 20
