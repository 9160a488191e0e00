package cli

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"auditlens/backend/service"
)

func importCmd(env Env, caseDir *string) *cobra.Command {
	var format string
	var mappings []string
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "import [--case DIR] [--format auto|NAME] [--mapping FILE.json] [--json] PATH...",
		Short: "Import files, folders and archives (zip, tar, tar.gz, gz) into the case",
		Args:  cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, paths []string) error {
			c, err := openCase(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			// Ctrl-C ends the import at its next read: what was stored
			// stays, is logged and is summed up below.
			ctx, stop := interruptible(cmd)
			defer stop()
			opts := service.ImportOptions{Format: format, Mappings: mappings, Context: ctx}
			if !asJSON {
				opts.Progress = progressPrinter(env.Stderr)
			}
			sum, err := c.Import(paths, opts)
			if err != nil && sum == nil {
				return err
			}
			if err != nil && ctx.Err() == nil { // stopped: the summary says what was stored
				return &exitError{1, err}
			}
			if asJSON {
				enc := json.NewEncoder(env.Stdout)
				enc.SetIndent("", "  ")
				if err := enc.Encode(sum); err != nil {
					return err
				}
			} else {
				printImportSummary(env, sum)
			}
			if len(sum.Failures) > 0 {
				if asJSON {
					for _, f := range sum.Failures {
						fmt.Fprintln(env.Stderr, "auditlens:", f)
					}
				}
				return &exitError{1, nil}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&format, "format", "auto", "format of the records: auto, or a name from `auditlens formats`")
	cmd.Flags().BoolVar(&asJSON, "json", false, "print the summary as JSON")
	cmd.Flags().StringArrayVar(&mappings, "mapping", nil, "a user mapping (JSON) to use besides the built-in formats and the case's mappings/ (repeatable)")
	return cmd
}

func printImportSummary(env Env, sum *service.ImportSummary) {
	for _, s := range sum.Sources {
		name := s.Path
		if s.Member != "" {
			name += "!" + s.Member
		}
		for _, e := range s.Errors {
			fmt.Fprintf(env.Stderr, "%s:%d: %s\n", name, e.Line, e.Message)
		}
		if s.Rejected > len(s.Errors) {
			fmt.Fprintf(env.Stderr, "%s: %d more rejected records not listed\n", name, s.Rejected-len(s.Errors))
		}
		if s.Failed != "" {
			fmt.Fprintf(env.Stderr, "%s: %s\n", name, s.Failed)
		}
	}
	for _, f := range sum.Failures {
		fmt.Fprintln(env.Stderr, "auditlens:", f)
	}
	fmt.Fprintf(env.Stdout, "imported %d events from %d sources in %.1fs (%d duplicates, %d rejected)\n",
		sum.Events, len(sum.Sources), sum.Seconds, sum.Duplicates, sum.Rejected)
}
