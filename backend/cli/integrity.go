package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
)

func verifyCmd(env Env, caseDir *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "verify [--case DIR] [--json] [SOURCE-PATH...]",
		Short: "Check the integrity of stored records and, where given, of the original files",
		Long: `Re-hash every stored raw record against the SHA-256 kept at import, and each source's
digest over its records, and decode every event's stored fields; for the files named, hash
the files and compare them with what was imported from them. Each source is intact,
altered (which events), differs (the file changed since import) or missing. The exit
status is 1 unless everything is intact.`,
		RunE: func(cmd *cobra.Command, files []string) error {
			c, err := openExistingCase(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			verdicts, err := c.Verify(files)
			if err != nil {
				return err
			}
			bad := 0
			for _, v := range verdicts {
				if v.State != "intact" {
					bad++
				}
			}
			if asJSON {
				json.NewEncoder(env.Stdout).Encode(map[string]any{"sources": verdicts, "intact": bad == 0})
			} else {
				tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
				fmt.Fprintln(tw, "STATE\tEVENTS\tSOURCE\tSHA-256\tDETAIL")
				for _, v := range verdicts {
					name := v.Source.Path
					if v.Source.Member != "" {
						name += "!" + v.Source.Member
					}
					detail := v.Reason
					if len(v.Altered) > 0 {
						shown := v.Altered
						if len(shown) > 10 {
							shown = shown[:10]
						}
						detail += ": " + strings.Join(shown, ", ")
					}
					fmt.Fprintf(tw, "%s\t%d\t%s\t%.16s\t%s\n", v.State, v.Events, cell(name, 70), v.Source.SHA256, detail)
				}
				tw.Flush()
				if bad == 0 {
					fmt.Fprintf(env.Stdout, "all %d sources intact\n", len(verdicts))
				} else {
					fmt.Fprintf(env.Stdout, "%d of %d sources are not intact\n", bad, len(verdicts))
				}
			}
			if bad > 0 {
				return &exitError{1, nil}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the verdicts as JSON")
	return cmd
}

func logCmd(env Env, caseDir *string) *cobra.Command {
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "log [--case DIR] [--json]",
		Short: "The case's own activity log (imports, reports, exports), with its hash chain checked",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := openExistingCase(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			entries, brk, err := c.ActivityLog()
			if err != nil {
				return err
			}
			if asJSON {
				json.NewEncoder(env.Stdout).Encode(map[string]any{"entries": entries, "intact": brk == nil, "break": brk})
			} else {
				for _, a := range entries {
					fmt.Fprintf(env.Stdout, "#%-4d %s  %-12s %s\n      %s\n", a.Seq, a.At.Format(time.RFC3339), a.Kind, cell(summarize(a.Kind, a.Detail), 140), a.Hash)
				}
				if brk == nil {
					head := ""
					if len(entries) > 0 {
						head = entries[len(entries)-1].Hash
					}
					fmt.Fprintf(env.Stdout, "chain intact: %d entries, head %s\n", len(entries), head)
				}
			}
			if brk != nil {
				return &exitError{1, audit.Errorf(audit.ECONFLICT, "the activity log's chain is broken at entry #%d: %s", brk.Seq, brk.Reason)}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the log as JSON")
	return cmd
}

// summarize is a one-line reading of an entry's detail.
func summarize(kind string, detail []byte) string {
	var d map[string]any
	json.Unmarshal(detail, &d)
	switch kind {
	case "import":
		srcs, _ := d["sources"].([]any)
		return fmt.Sprintf("%v: %v events, %v duplicates, %v rejected, %d sources", d["paths"], d["events"], d["duplicates"], d["rejected"], len(srcs))
	case "report", "export":
		what := fmt.Sprintf("query %q", d["query"])
		if from, ok := d["from"].(string); ok {
			what += ", from " + from
		}
		if to, ok := d["to"].(string); ok {
			what += ", before " + to
		}
		what += fmt.Sprintf(", %v events", d["events"])
		if sum, ok := d["sha256"].(string); ok { // (none for one written to stdout)
			what += ", sha256 " + sum
		}
		return fmt.Sprintf("%v (%s)", d["file"], what)
	}
	return string(detail)
}
