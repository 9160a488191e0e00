package cli

import (
	"fmt"
	"text/tabwriter"

	"github.com/spf13/cobra"

	"auditlens/backend/ingest"
)

func formatsCmd(env Env) *cobra.Command {
	return &cobra.Command{
		Use:   "formats",
		Short: "List the formats auditlens reads, one a line",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
			for _, f := range ingest.Formats() {
				fmt.Fprintf(tw, "%s\t%s\n", f.Name, f.Description)
			}
			return tw.Flush()
		},
	}
}
