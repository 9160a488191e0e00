package cli

import (
	"encoding/json"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"auditlens/backend/audit"
	"auditlens/backend/service"
)

func searchCmd(env Env, caseDir *string) *cobra.Command {
	var from, to string
	var limit int
	var asJSON bool
	cmd := &cobra.Command{
		Use:   "search [--from T] [--to T] [--limit N] [--json] QUERY",
		Short: "Search the case (Bleve query syntax; '' matches everything), newest first",
		Long: `Search the case, newest first. QUERY is Bleve's query-string syntax over the normalized
fields plus free text over the message, the names, the user agent and the raw record's values:

  actor.email:alice@example.com     action:ConsoleLogin     outcome:failure
  +category:configuration -actor.type:system                "escalation policy"
  action:user.login*                 admin                    ''  (everything)

Fields: time format category action outcome actor.id actor.name actor.email actor.type
targets.type targets.id targets.name ip user_agent session request message source, and text
(the default field of words: message, actor, action, targets and every value of the raw record;
a "phrase" matches inside one of those values).`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if limit < 1 {
				return audit.Errorf(audit.EINVALID, "--limit %d: give how many events to print, 1 or more", limit)
			}
			q := audit.Query{Limit: limit}
			if len(args) == 1 {
				q.Text = args[0]
			}
			var err error
			if q.From, err = parseFlagTime("from", from, false, time.UTC); err != nil {
				return err
			}
			if q.To, err = parseFlagTime("to", to, true, time.UTC); err != nil {
				return err
			}
			c, err := openExistingCase(*caseDir)
			if err != nil {
				return err
			}
			defer c.Close()
			res, err := c.Search(q)
			if err != nil {
				return err
			}
			if asJSON {
				return json.NewEncoder(env.Stdout).Encode(res)
			}
			printTable(env, res)
			return nil
		},
	}
	cmd.Flags().StringVar(&from, "from", "", "only events at or after this time (RFC 3339 or date)")
	cmd.Flags().StringVar(&to, "to", "", "only events before this time (a date includes that day)")
	cmd.Flags().IntVar(&limit, "limit", 50, "at most this many events")
	cmd.Flags().BoolVar(&asJSON, "json", false, `print {"total": N, "events": [...]} as JSON`)
	return cmd
}

func printTable(env Env, res *service.SearchResult) {
	tw := tabwriter.NewWriter(env.Stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME (UTC)\tOUTCOME\tACTOR\tACTION\tTARGET\tIP")
	for _, ev := range res.Events {
		target := ""
		if len(ev.Targets) > 0 {
			target = ev.Targets[0].Label()
			if len(ev.Targets) > 1 {
				target += fmt.Sprintf(" (+%d)", len(ev.Targets)-1)
			}
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", ev.Time.UTC().Format(time.DateTime), ev.Outcome,
			cell(ev.Actor.Label(), 32), cell(ev.Action, 40), cell(target, 40), cell(ev.IP, 39))
	}
	tw.Flush()
	fmt.Fprintf(env.Stdout, "%d of %d events\n", len(res.Events), res.Total)
}

// cell makes a value safe and short for a terminal table: control
// characters (escape sequences in hostile data) become spaces.
func cell(s string, n int) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) {
			return ' '
		}
		return r
	}, s)
	if r := []rune(s); len(r) > n {
		return string(r[:n-1]) + "…"
	}
	if s == "" {
		return "-"
	}
	return s
}
