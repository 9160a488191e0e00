package service

import (
	"fmt"
	"strings"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/diff"
	"auditlens/backend/search"
	"auditlens/backend/store"
)

// Facets counts the top values of the facet fields among q's matches, with
// values spelled as in the records.
func (c *Case) Facets(q audit.Query, size int) ([]search.Facet, error) {
	if size <= 0 {
		size = 10
	}
	if f, ok := c.plan(q); ok {
		return c.selectFacets(f, q, size)
	}
	idx, err := c.words()
	if err != nil {
		return nil, err
	}
	if c.indexOnly {
		return c.indexFacets(idx, q, size)
	}
	counts, err := c.store.SeqFacets(search.FacetFields, size, hits(idx, q))
	if err != nil {
		return nil, err
	}
	return facetsOf(counts), nil
}

// indexFacets are the search index's own facets of q (Bleve's facet
// builders over its doc values), spelled as the records spell them: what
// the database's answers are compared with.
func (c *Case) indexFacets(idx *search.Index, q audit.Query, size int) ([]search.Facet, error) {
	facets, _, err := idx.Facets(q, size)
	if err != nil {
		return nil, err
	}
	for i, f := range facets {
		if !contains(store.DisplayFields, f.Field) {
			continue
		}
		folded := make([]string, len(f.Top))
		for j, t := range f.Top {
			folded[j] = t.Value
		}
		names, err := c.store.Display(f.Field, folded)
		if err != nil {
			return nil, err
		}
		for j := range f.Top {
			facets[i].Top[j].Value = names[f.Top[j].Value]
		}
	}
	return facets, nil
}

// selectFacets counts a structured query's facets in the database: the
// kept counts for the whole case, the query's rows otherwise.
func (c *Case) selectFacets(f *store.Filter, q audit.Query, size int) ([]search.Facet, error) {
	x, err := c.store.Select(store.Selection{Filter: f, From: q.From, To: q.To})
	if err != nil {
		return nil, err
	}
	counts, err := x.Facets(search.FacetFields, size)
	if err != nil {
		return nil, err
	}
	return facetsOf(counts), nil
}

// facetsOf gives the database's counts as the screen shows them.
func facetsOf(counts []store.FacetCount) []search.Facet {
	out := make([]search.Facet, 0, len(counts))
	for _, fc := range counts {
		facet := search.Facet{Field: fc.Field, Total: fc.Total, Other: fc.Total, Top: []search.Count{}}
		for _, v := range fc.Top {
			value := v.Folded
			if contains(store.DisplayFields, fc.Field) {
				value = v.Display
			}
			facet.Top = append(facet.Top, search.Count{Value: value, Count: v.Count})
			facet.Other -= v.Count
		}
		out = append(out, facet)
	}
	return out
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// Histogram is the matching events counted over time, stacked.
type Histogram struct {
	Bucket string           `json:"bucket"` // "1m", "1h", "1d", "7d", "1mo", …
	Edges  []time.Time      `json:"edges"`  // len(counts)+1 bucket boundaries
	Stack  string           `json:"stack"`  // the field the series split by
	Series map[string][]int `json:"series"` // value -> count per bucket
	Total  uint64           `json:"total"`
	Zone   string           `json:"zone"` // the zone the buckets are whole in
}

var buckets = []struct {
	name string
	d    time.Duration
}{
	{"1m", time.Minute}, {"5m", 5 * time.Minute}, {"15m", 15 * time.Minute}, {"1h", time.Hour},
	{"3h", 3 * time.Hour}, {"6h", 6 * time.Hour}, {"12h", 12 * time.Hour}, {"1d", 24 * time.Hour},
	{"7d", 7 * 24 * time.Hour},
}

// Histogram counts q's matches in at most maxBuckets buckets over q's time
// range (or the span of the matches), the bucket size adapting from a
// minute to a month; stack is "category" or "outcome". Buckets are whole
// in UTC (HistogramIn for another zone).
func (c *Case) Histogram(q audit.Query, stack string, maxBuckets int) (*Histogram, error) {
	return c.HistogramIn(q, stack, maxBuckets, time.UTC)
}

// HistogramIn is Histogram with buckets whole in loc: days from its
// midnights (23 or 25 hours long where the clock changes), hours from its
// hours (Kathmandu's begin at :45 in UTC), as the timeline labels them.
func (c *Case) HistogramIn(q audit.Query, stack string, maxBuckets int, loc *time.Location) (*Histogram, error) {
	var values []string
	switch stack {
	case "", "category":
		stack, values = "category", audit.Categories
	case "outcome":
		values = []string{audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeUnknown}
	default:
		return nil, audit.Errorf(audit.EINVALID, "a histogram stacks by category or outcome, not %q", stack)
	}
	if maxBuckets <= 0 || maxBuckets > 500 {
		maxBuckets = 120
	}
	counter, err := c.timeCounter(q, stack, values)
	if err != nil {
		return nil, err
	}
	from, to := q.From, q.To
	if from.IsZero() || to.IsZero() {
		oldest, newest, ok, err := counter.bounds()
		if err != nil {
			return nil, err
		}
		if !ok {
			return &Histogram{Bucket: "1d", Edges: []time.Time{}, Stack: stack, Series: map[string][]int{}}, nil
		}
		if from.IsZero() {
			from = oldest
		}
		if to.IsZero() {
			to = newest.Add(time.Nanosecond)
		}
	}
	name, edges := bucketEdges(from, to, maxBuckets, loc)
	series, err := counter.series(edges)
	if err != nil {
		return nil, err
	}
	var total uint64
	for v, counts := range series {
		sum := 0
		for _, n := range counts {
			sum += n
		}
		if sum == 0 {
			delete(series, v)
		}
		total += uint64(sum)
	}
	return &Histogram{Bucket: name, Edges: edges, Stack: stack, Series: series, Total: total, Zone: loc.String()}, nil
}

// timeCounter counts a query's matches over time: the database for a
// structured query, else the search index.
type timeCounter interface {
	bounds() (oldest, newest time.Time, ok bool, err error) // of the matches
	series(edges []time.Time) (map[string][]int, error)
}

func (c *Case) timeCounter(q audit.Query, stack string, values []string) (timeCounter, error) {
	if f, ok := c.plan(q); ok {
		x, err := c.store.Select(store.Selection{Filter: f, From: q.From, To: q.To})
		if err != nil {
			return nil, err
		}
		unordered, err := x.Unordered()
		if err != nil || !unordered {
			return dbCounter{x, stack, values}, err
		}
		// One pass over the columns hands every match's time, its bounds
		// included (the time index may be read whole for them).
		return &hitCounter{values: values, pass: func(add func(ns int64, v int)) error {
			return x.EachTime(stack, values, add)
		}}, nil
	}
	idx, err := c.words()
	if err != nil {
		return nil, err
	}
	h := &hitCounter{values: values, pass: func(add func(ns int64, v int)) error {
		_, err := c.store.SeqTimes(stack, values, hits(idx, q), add)
		return err
	}}
	if c.indexOnly {
		h.pass = func(add func(ns int64, v int)) error { return idx.EachTime(q, stack, values, add) }
	}
	return h, nil
}

type dbCounter struct {
	x      *store.Selected
	stack  string
	values []string
}

func (d dbCounter) bounds() (time.Time, time.Time, bool, error) {
	oldest, newest, ok, err := d.x.Bounds()
	return time.Unix(0, oldest).UTC(), time.Unix(0, newest).UTC(), ok, err
}

// series gives the stack's values as the index would: every value named,
// folded to look it up.
func (d dbCounter) series(edges []time.Time) (map[string][]int, error) {
	byValue, err := d.x.Histogram(edges, d.stack)
	if err != nil {
		return nil, err
	}
	out := make(map[string][]int, len(d.values))
	for _, v := range d.values {
		counts := byValue[store.Fold(v)]
		if counts == nil {
			counts = make([]int, len(edges)-1)
		}
		out[v] = counts
	}
	return out, nil
}

// histogramKeep is how many hits of a word query the pass that finds their
// bounds keeps (time and stack value, 9 bytes each), so that their buckets
// are counted without a second pass.
var histogramKeep = 1 << 20

// hitCounter counts a word query's hits over time from a pass over them:
// their keys and the database's columns (store.SeqTimes), or the index's
// own doc values (indexOnly).
type hitCounter struct {
	pass   func(add func(ns int64, v int)) error
	values []string
	hits   *search.HitTimes // read by bounds
}

func (hc *hitCounter) bounds() (time.Time, time.Time, bool, error) {
	h := search.NewHitTimes(hc.values, histogramKeep)
	if err := hc.pass(h.Add); err != nil || h.N == 0 {
		return time.Time{}, time.Time{}, false, err
	}
	hc.hits = h
	return time.Unix(0, h.Oldest).UTC(), time.Unix(0, h.Newest).UTC(), true, nil
}

func (hc *hitCounter) series(edges []time.Time) (map[string][]int, error) {
	if hc.hits != nil {
		if counts, ok := hc.hits.Count(edges); ok {
			return counts, nil
		}
	}
	return search.CountTimes(edges, hc.values, hc.pass)
}

// bucketEdges picks the smallest bucket giving at most max buckets over
// [from, to), aligned to whole buckets of loc's clock: minutes and hours
// from its hours, days from its midnights (audit.DayStart), weeks from its
// Mondays, months from the first of the month.
func bucketEdges(from, to time.Time, max int, loc *time.Location) (string, []time.Time) {
	span := to.Sub(from)
	for _, b := range buckets {
		if span/b.d < time.Duration(max) {
			var edges []time.Time
			for t := floorIn(from, b.d, loc); t.Before(to); t = nextIn(t, b.d, loc) {
				edges = append(edges, t)
			}
			return b.name, append(edges, nextIn(edges[len(edges)-1], b.d, loc))
		}
	}
	f := from.In(loc)
	var edges []time.Time
	for t := audit.DayStart(f.Year(), f.Month(), 1, loc); t.Before(to); t = addMonths(t, 1, loc) {
		edges = append(edges, t)
	}
	if len(edges) > max { // years of data: quarters, then years
		step := (len(edges) + max - 1) / max
		var coarse []time.Time
		for i := 0; i < len(edges); i += step {
			coarse = append(coarse, edges[i])
		}
		last := addMonths(coarse[len(coarse)-1], step, loc)
		return fmt.Sprintf("%dmo", step), append(coarse, last)
	}
	return "1mo", append(edges, addMonths(edges[len(edges)-1], 1, loc))
}

// floorIn is the start of the bucket of size d that holds t, on loc's clock.
func floorIn(t time.Time, d time.Duration, loc *time.Location) time.Time {
	l := t.In(loc)
	switch {
	case d >= 7*24*time.Hour: // Monday
		return audit.DayStart(l.Year(), l.Month(), l.Day()-(int(l.Weekday())+6)%7, loc)
	case d >= 24*time.Hour:
		return audit.DayStart(l.Year(), l.Month(), l.Day(), loc)
	}
	_, off := l.Zone()
	shift := time.Duration(off) * time.Second
	return t.Add(shift).Truncate(d).Add(-shift)
}

// nextIn is the start of the bucket after the one t starts. A day is from
// one midnight to the next; shorter buckets are their length (the hour a
// clock changes shifts 3-, 6- and 12-hour buckets by it for the rest of the
// range).
func nextIn(t time.Time, d time.Duration, loc *time.Location) time.Time {
	if d < 24*time.Hour {
		return t.Add(d)
	}
	l := t.In(loc)
	return audit.DayStart(l.Year(), l.Month(), l.Day()+int(d/(24*time.Hour)), loc)
}

// addMonths is the first instant of the month n months after t's, in loc.
func addMonths(t time.Time, n int, loc *time.Location) time.Time {
	l := t.In(loc)
	return audit.DayStart(l.Year(), l.Month()+time.Month(n), 1, loc)
}

// Around lists the events related to one: by the same actor within ±15
// minutes, or sharing its session, request or correlation id. Like List, its
// events come without their raw records.
func (c *Case) Around(id, by string, limit int) (*SearchResult, error) {
	ev, err := c.store.Event(id)
	if err != nil {
		return nil, err
	}
	q := audit.Query{Limit: limit}
	switch by {
	case "", "actor":
		if ev.Actor.Empty() {
			return nil, audit.Errorf(audit.EINVALID, "this event names no actor")
		}
		q.Text = fieldQuery("actor.label", ev.Actor.Label())
		q.From, q.To = ev.Time.Add(-15*time.Minute), ev.Time.Add(15*time.Minute)
	case "session":
		if ev.Session == "" {
			return nil, audit.Errorf(audit.EINVALID, "this event has no session id")
		}
		q.Text = fieldQuery("session", ev.Session)
	case "request":
		if ev.Request == "" {
			return nil, audit.Errorf(audit.EINVALID, "this event has no request or correlation id")
		}
		q.Text = fieldQuery("request", ev.Request)
	default:
		return nil, audit.Errorf(audit.EINVALID, "around by actor, session or request, not %q", by)
	}
	return c.List(q)
}

// fieldQuery is a query-string term matching value exactly in field.
func fieldQuery(field, value string) string {
	return "+" + field + ":" + quote(value)
}

func quote(s string) string {
	return `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
}

// HistoryEntry is one event that touched a resource, oldest first.
type HistoryEntry struct {
	Event *audit.Event `json:"event"`
	// Changes turn the state before this event into the state after it, as
	// the record says (empty when it says nothing of values).
	Changes []audit.Change `json:"changes"`
}

// History lists every event that touched a target (by id, else by name),
// oldest first: who changed it, when, and what it looked like before.
func (c *Case) History(typ, id, name string, limit int) ([]HistoryEntry, error) {
	var terms []string
	switch {
	case id != "":
		terms = append(terms, fieldQuery("targets.id", id))
	case name != "":
		terms = append(terms, `+targets.name:`+quote(name))
	default:
		return nil, audit.Errorf(audit.EINVALID, "a history needs a target id or name")
	}
	if typ != "" {
		terms = append(terms, fieldQuery("targets.type", typ))
	}
	if limit <= 0 || limit > 10000 {
		limit = 1000
	}
	var evs []*audit.Event
	// A history shows what changed, not the raw records: reading them would
	// decode a block for each of events scattered over the case.
	err := c.scan(audit.Query{Text: strings.Join(terms, " ")}, true, func(e *audit.Event) error {
		if len(evs) >= limit {
			return errEnough
		}
		evs = append(evs, e)
		return nil
	})
	if err != nil && err != errEnough {
		return nil, err
	}
	out := make([]HistoryEntry, 0, len(evs))
	for i := len(evs) - 1; i >= 0; i-- { // Scan is newest first
		out = append(out, HistoryEntry{Event: evs[i], Changes: evs[i].Changes})
	}
	return out, nil
}

var errEnough = fmt.Errorf("stop")

// Compare diffs the raw records of two events, field by field.
func (c *Case) Compare(a, b string) ([]audit.Change, error) {
	ea, err := c.store.Event(a)
	if err != nil {
		return nil, err
	}
	eb, err := c.store.Event(b)
	if err != nil {
		return nil, err
	}
	return diff.Values("", decodeRaw(ea.Raw), decodeRaw(eb.Raw)), nil
}
