package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
	"auditlens/backend/service"
)

func demoCmd(env Env, caseDir *string) *cobra.Command {
	var events int
	var seed uint64
	var out string
	var archiveOnly bool
	cmd := &cobra.Command{
		Use:   "demo [--case DIR] [--events N] [--seed S] [--out FILE.zip]",
		Short: "Fill a case with a realistic generated incident-platform audit trail (and keep its export archive)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if events <= 0 {
				return audit.Errorf(audit.EINVALID, "--events must be at least 1")
			}
			zipPath := out
			dir := caseDirOrDefault(*caseDir)
			if zipPath == "" {
				// The case keeps the archive it was made from, as it keeps uploads.
				if err := os.MkdirAll(filepath.Join(dir, "uploads"), 0o755); err != nil {
					return err
				}
				zipPath = filepath.Join(dir, "uploads", fmt.Sprintf("demo-%d-seed%d.zip", events, seed))
			}
			if archiveOnly && out == "" {
				return audit.Errorf(audit.EINVALID, "--archive-only needs --out FILE.zip")
			}
			if err := demo.WriteZip(demo.Options{Events: events, Seed: seed}, zipPath); err != nil {
				return err
			}
			if archiveOnly {
				fmt.Fprintf(env.Stdout, "export archive: %s (%d events)\n", out, events)
				return nil
			}
			c, err := openCase(dir)
			if err != nil {
				return err
			}
			defer c.Close()
			sum, err := c.Import([]string{zipPath}, service.ImportOptions{Progress: progressPrinter(env.Stderr)})
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "demo case %s: %d events (%d already there)\n", c.Dir, sum.Events, sum.Duplicates)
			if out != "" {
				fmt.Fprintf(env.Stdout, "export archive: %s\n", out)
			}
			return nil
		},
	}
	cmd.Flags().IntVar(&events, "events", 20000, "number of audit records")
	cmd.Flags().Uint64Var(&seed, "seed", 1, "random seed: the same seed gives the same trail")
	cmd.Flags().StringVar(&out, "out", "", "also keep the export archive at this path")
	cmd.Flags().BoolVar(&archiveOnly, "archive-only", false, "only write the --out archive; import nothing")
	return cmd
}
