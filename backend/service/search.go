package service

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strconv"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/search"
	"auditlens/backend/store"
)

// SearchResult is a page of events, newest first, as `search --json` prints it.
type SearchResult struct {
	Total  uint64         `json:"total"`
	Events []*audit.Event `json:"events"`
	TookMS float64        `json:"took_ms"`
	Next   string         `json:"next,omitempty"` // cursor of the next page
}

// Search finds the events matching q, newest first.
func (c *Case) Search(q audit.Query) (*SearchResult, error) { return c.search(q, false) }

// List is Search as the event list asks for a page: without the raw
// records. The list shows none (an event's own view reads its record), and
// each hit of a word query, scattered over the case, would decode a block
// of raw records to send one the screen throws away.
func (c *Case) List(q audit.Query) (*SearchResult, error) { return c.search(q, true) }

// search is Search; noRaw leaves the events' raw records out.
func (c *Case) search(q audit.Query, noRaw bool) (*SearchResult, error) {
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		// (to the nanosecond: whole seconds showed two equal times for
		// .91 and .91, or a from after its to as equal)
		return nil, audit.Errorf(audit.EINVALID, "the time range is empty: its start (from) %s is not before its end (to, excluded) %s",
			q.From.Format(time.RFC3339Nano), q.To.Format(time.RFC3339Nano))
	}
	start := time.Now()
	var seqs []int64
	var total uint64
	var next string
	var err error
	if f, ok := c.plan(q); ok {
		seqs, total, next, err = c.selectPage(f, q)
	} else {
		seqs, total, next, err = c.wordsPage(q)
	}
	if err != nil {
		return nil, err
	}
	evs, err := c.store.EventsBySeqs(seqs, noRaw)
	if err != nil {
		return nil, err
	}
	if evs == nil {
		evs = []*audit.Event{}
	}
	return &SearchResult{Total: total, Events: evs, TookMS: float64(time.Since(start).Microseconds()) / 1000, Next: next}, nil
}

// wordsPage answers a query with words: the search index finds the words
// over the whole case, the database's times keep the hits in the range,
// count them and order them (hits, store.SeqPage).
func (c *Case) wordsPage(q audit.Query) ([]int64, uint64, string, error) {
	idx, err := c.words()
	if err != nil {
		return nil, 0, "", err
	}
	if c.indexOnly {
		res, err := idx.Search(q)
		if err != nil {
			return nil, 0, "", err
		}
		return res.Seqs, res.Total, res.Next, nil
	}
	after, limit, err := pageOf(q)
	if err != nil {
		return nil, 0, "", err
	}
	seqs, total, last, err := c.store.SeqPage(hits(idx, q), after, limit)
	return seqs, total, encodePageKey(last), err
}

// hits are q's word matches: the index's pass over the words, the range
// kept by the database's times (by the index's until the columns are read).
func hits(idx *search.Index, q audit.Query) store.Hits {
	words := audit.Query{Text: q.Text}
	return store.Hits{From: q.From, To: q.To,
		Each: func(visit func(int64)) error {
			_, err := idx.EachSeq(words, visit)
			return err
		},
		Keys: func(visit func(seq, ns int64)) error {
			_, err := idx.EachKey(words, visit)
			return err
		}}
}

// scanPage is how many events Scan fetches at a time.
const scanPage = 2000

// Scan calls fn for every event matching q, newest first, page by page
// (bounded memory whatever the number of matches). q.Limit is ignored.
func (c *Case) Scan(q audit.Query, fn func(*audit.Event) error) error {
	return c.scan(q, false, fn)
}

// scan is Scan; noRaw leaves the raw records out (reports, CSV exports and
// histories do not show them).
func (c *Case) scan(q audit.Query, noRaw bool, fn func(*audit.Event) error) error {
	if !q.From.IsZero() && !q.To.IsZero() && !q.From.Before(q.To) {
		return audit.Errorf(audit.EINVALID, "the time range is empty")
	}
	if f, ok := c.plan(q); ok {
		// No words to match: the database gives the same events in the
		// same order, without paging through the index.
		x, err := c.store.Select(store.Selection{Filter: f, From: q.From, To: q.To, NoRaw: noRaw})
		if err != nil {
			return err
		}
		return x.Each(context.Background(), fn)
	}
	if !c.indexOnly {
		return c.scanWords(q, noRaw, fn)
	}
	q.Limit, q.Cursor = scanPage, ""
	for {
		res, err := c.search(q, noRaw)
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

// scanWords is scan of a query with words: the hits in time order a batch
// at a time (store.SeqBatches), their events scanPage at a time.
func (c *Case) scanWords(q audit.Query, noRaw bool, fn func(*audit.Event) error) error {
	idx, err := c.words()
	if err != nil {
		return err
	}
	return c.store.SeqBatches(hits(idx, q), func(seqs []int64) error {
		for len(seqs) > 0 {
			n := min(len(seqs), scanPage)
			evs, err := c.store.EventsBySeqs(seqs[:n], noRaw)
			if err != nil {
				return err
			}
			for _, ev := range evs {
				if err := fn(ev); err != nil {
					return err
				}
			}
			seqs = seqs[n:]
		}
		return nil
	})
}

// selectPage answers a structured query from the database: the page by the
// time index of its fields, the total from the kept counts where it can, or
// both by one pass over the columns (store.Selected.PageCount).
func (c *Case) selectPage(f *store.Filter, q audit.Query) ([]int64, uint64, string, error) {
	after, limit, err := pageOf(q)
	if err != nil {
		return nil, 0, "", err
	}
	x, err := c.store.Select(store.Selection{Filter: f, From: q.From, To: q.To})
	if err != nil {
		return nil, 0, "", err
	}
	seqs, total, last, err := x.PageCount(after, limit)
	return seqs, total, encodePageKey(last), err
}

// pageOf is where q's page starts (its cursor; nil for the first page) and
// how many events it holds (100 unless q says).
func pageOf(q audit.Query) (*store.PageKey, int, error) {
	limit := q.Limit
	if limit <= 0 {
		limit = 100
	}
	if q.Cursor == "" {
		return nil, limit, nil
	}
	after, err := decodePageKey(q.Cursor)
	return after, limit, err
}

// A database page's cursor: ["s", time in ns, seq] (the index's have two
// values, so neither is taken for the other; "t" was time and id, before
// ties went by seq).
func encodePageKey(k *store.PageKey) string {
	if k == nil { // the last page
		return ""
	}
	b, _ := json.Marshal([]string{"s", strconv.FormatInt(k.TimeNS, 10), strconv.FormatInt(k.Seq, 10)})
	return base64.RawURLEncoding.EncodeToString(b)
}

func decodePageKey(c string) (*store.PageKey, error) {
	var v []string
	b, err := base64.RawURLEncoding.DecodeString(c)
	if err == nil && json.Unmarshal(b, &v) == nil && len(v) == 3 && v[0] == "s" {
		ns, err1 := strconv.ParseInt(v[1], 10, 64)
		seq, err2 := strconv.ParseInt(v[2], 10, 64)
		if err1 == nil && err2 == nil {
			return &store.PageKey{TimeNS: ns, Seq: seq}, nil
		}
	}
	return nil, audit.Errorf(audit.EINVALID, "the page cursor %q is not one this case gave", c)
}
