package service

import (
	"context"
	"strings"

	"auditlens/backend/audit"
)

// SearchResult is a page of events, newest first, as `search --json` prints it.
type SearchResult struct {
	Total  uint64         `json:"total"`
	Events []*audit.Event `json:"events"`
	TookMS float64        `json:"took_ms"`
	Next   string         `json:"next,omitempty"` // cursor of the next page
}

// Search finds the events matching q, newest first.
func (c *Case) Search(q audit.Query) (*SearchResult, error) {
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return nil, audit.Errorf(audit.EINVALID, "the time range is empty: --from %s is not before --to %s",
			q.From.Format("2006-01-02T15:04:05Z07:00"), q.To.Format("2006-01-02T15:04:05Z07:00"))
	}
	res, err := c.index.Search(q)
	if err != nil {
		return nil, err
	}
	evs, err := c.store.EventsByIDs(res.IDs)
	if err != nil {
		return nil, err
	}
	if evs == nil {
		evs = []*audit.Event{}
	}
	return &SearchResult{Total: res.Total, Events: evs, TookMS: float64(res.Took.Microseconds()) / 1000, Next: res.Next}, nil
}

// scanPage is how many events Scan fetches at a time.
const scanPage = 2000

// Scan calls fn for every event matching q, newest first, page by page
// (bounded memory whatever the number of matches). q.Limit is ignored.
func (c *Case) Scan(q audit.Query, fn func(*audit.Event) error) error {
	if t := strings.TrimSpace(q.Text); t == "" || t == "*" {
		// No words to match: the database's time index gives the same
		// order as the search index, without paging through it.
		if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
			return audit.Errorf(audit.EINVALID, "the time range is empty")
		}
		return c.store.EachByTime(context.Background(), q.From, q.To, fn)
	}
	q.Limit, q.Cursor = scanPage, ""
	for {
		res, err := c.Search(q)
		if err != nil {
			return err
		}
		for _, ev := range res.Events {
			if err := fn(ev); err != nil {
				return err
			}
		}
		if res.Next == "" {
			return nil
		}
		q.Cursor = res.Next
	}
}
