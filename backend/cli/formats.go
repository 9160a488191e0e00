package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"auditlens/backend/ingest"
)

func formatsCmd(env Env, caseDir *string) *cobra.Command {
	var asJSON string
	var mappings []string
	cmd := &cobra.Command{
		Use:   "formats [--json NAME] [--mapping FILE.json]",
		Short: "List the formats auditlens reads, one a line (with --json NAME: a mapping to start from)",
		Long: `List the formats auditlens reads, one a line: the user mappings of the case
(its mappings/ folder) and of --mapping first, then the built-in ones, generic last.

A user mapping is a JSON file: {"name", "description", "detect": {"has": [paths],
"equals": {path: value}}, "mapping": {"time": [paths], "actor_name": [...], "action": [...],
...}}. --json NAME prints a built-in format's mapping in that form, to start from.`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if asJSON != "" {
				b, err := ingest.MappingJSON(asJSON)
				if err != nil {
					return err
				}
				fmt.Fprintln(env.Stdout, string(b))
				return nil
			}
			var user []*ingest.Format
			if *caseDir != "" || fileExists(filepath.Join(caseDirOrDefault(""), "mappings")) {
				m, err := ingest.LoadMappings(filepath.Join(caseDirOrDefault(*caseDir), "mappings"))
				if err != nil {
					return err
				}
				user = m
			}
			for _, f := range mappings {
				m, err := ingest.LoadMapping(f)
				if err != nil {
					return err
				}
				user = append(user, m)
			}
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			for _, f := range append(user, ingest.Formats()...) {
				fmt.Fprintf(tw, "%s\t%s\n", f.Name, f.Description)
			}
			return tw.Flush()
		},
	}
	cmd.Flags().StringVar(&asJSON, "json", "", "print this built-in format's mapping as JSON")
	cmd.Flags().StringArrayVar(&mappings, "mapping", nil, "also check and list this user mapping (repeatable)")
	return cmd
}

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
