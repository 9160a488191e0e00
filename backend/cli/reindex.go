package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"
)

func reindexCmd(env Env, caseDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "reindex",
		Short: "Rebuild the search index from the case database",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := openExistingCase(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			n, err := c.Reindex(context.Background())
			if err != nil {
				return err
			}
			fmt.Fprintf(env.Stdout, "indexed %d events\n", n)
			return nil
		},
	}
}
