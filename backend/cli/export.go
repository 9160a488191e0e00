package cli

import (
	"bufio"
	"fmt"
	"io"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
	"auditlens/backend/report"
	"auditlens/backend/service"
)

func exportCmd(env Env, caseDir *string) *cobra.Command {
	var query, from, to, format, out string
	cmd := &cobra.Command{
		Use:   "export [--query Q] [--from T] [--to T] --format csv|ndjson --out FILE",
		Short: "Export the matching events as CSV or NDJSON, newest first (--out - for stdout)",
		Long: `Export the matching events, newest first, streaming whatever their number.
csv: a header and one row per event with the normalized fields (time in RFC 3339 UTC,
targets as "type:name; …", changes as JSON); a cell that a spreadsheet would read as
a formula starts with a single quote. ndjson: one event a line as search --json shows
it, the raw record included.`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			q, err := queryFlags(query, from, to, time.UTC)
			if err != nil {
				return err
			}
			if format != report.FormatCSV && format != report.FormatNDJSON {
				return audit.Errorf(audit.EINVALID, "--format %q is not an export format: use csv or ndjson", format)
			}
			if out == "" {
				return audit.Errorf(audit.EINVALID, "--out: name the file to write, or - for stdout")
			}
			c, err := openCaseForStreaming(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			ctx, stop := interruptible(cmd)
			defer stop()
			var n int
			if out == "-" {
				bw := bufio.NewWriter(env.Stdout)
				if n, err = c.Export(ctx, q, format, bw); err == nil {
					err = bw.Flush()
				}
				if err != nil {
					return err
				}
				if err := c.LogWrite("export", q, "-", n); err != nil {
					return err
				}
				fmt.Fprintf(env.Stderr, "exported %d events\n", n)
				return nil
			}
			err = service.WriteAtomic(out, func(w io.Writer) error {
				n, err = c.Export(ctx, q, format, w)
				return err
			})
			if err != nil {
				return err
			}
			abs, _ := filepath.Abs(out)
			if err := c.LogWrite("export", q, abs, n); err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "exported %d events to %s\n", n, out)
			return nil
		},
	}
	cmd.Flags().StringVar(&query, "query", "", "only events matching this query (as for search; '' = all)")
	cmd.Flags().StringVar(&from, "from", "", "only events at or after this time (RFC 3339 or date)")
	cmd.Flags().StringVar(&to, "to", "", "only events before this time (a date includes that day)")
	cmd.Flags().StringVar(&format, "format", "", "csv or ndjson (required)")
	cmd.Flags().StringVar(&out, "out", "", "the file to write, - for stdout (required)")
	return cmd
}
