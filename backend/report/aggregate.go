package report

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"auditlens/backend/audit"
)

// aggregate is what the Summary and Actors sheets need, gathered in the
// one pass over the events. Its maps grow with the distinct actors,
// actions, IPs and days, not with the events.
type aggregate struct {
	loc         *time.Location
	events      int
	changes     int
	first, last time.Time
	category    map[string]int
	outcome     map[string]int
	day         map[string]int
	action      map[string]int
	ip          map[string]int
	failed      int
	failedActor map[string]int
	failedIP    map[string]int
	actors      map[string]*actorStats
	bySource    map[int64]int // events by source id
	// The previous event's day, [lastDay, lastDayUntil) in the zone: see dayKey.
	lastDay, lastDayUntil time.Time
	lastDayKey            string
}

// actorStats is one row of the Actors sheet.
type actorStats struct {
	label       string
	typ         string
	first, last time.Time
	events      int
	failures    int
	privileged  int
	ips         map[string]struct{}
}

func newAggregate(loc *time.Location) *aggregate {
	return &aggregate{loc: loc, category: map[string]int{}, outcome: map[string]int{}, day: map[string]int{},
		action: map[string]int{}, ip: map[string]int{}, failedActor: map[string]int{}, failedIP: map[string]int{},
		actors: map[string]*actorStats{}, bySource: map[int64]int{}}
}

// unknownActor labels events whose record names no actor.
const unknownActor = "(unknown)"

func (a *aggregate) add(ev *audit.Event) {
	a.events++
	a.bySource[ev.Source.ID]++
	a.changes += len(ev.Changes)
	if a.first.IsZero() || ev.Time.Before(a.first) {
		a.first = ev.Time
	}
	if ev.Time.After(a.last) {
		a.last = ev.Time
	}
	a.category[ev.Category]++
	a.outcome[ev.Outcome]++
	a.day[a.dayKey(ev.Time)]++
	a.action[ev.Action]++
	if ev.IP != "" {
		a.ip[ev.IP]++
	}
	label := ev.Actor.Label()
	if label == "" {
		label = unknownActor
	}
	failure := ev.Outcome == audit.OutcomeFailure
	if failure && ev.Category == audit.CategoryAccess {
		a.failed++
		a.failedActor[label]++
		if ev.IP != "" {
			a.failedIP[ev.IP]++
		}
	}
	s := a.actors[label]
	if s == nil {
		s = &actorStats{label: label, typ: ev.Actor.Type, first: ev.Time, last: ev.Time, ips: map[string]struct{}{}}
		a.actors[label] = s
	}
	s.events++
	if ev.Time.Before(s.first) {
		s.first = ev.Time
	}
	if ev.Time.After(s.last) {
		s.last = ev.Time
	}
	if failure {
		s.failures++
	}
	if ev.IP != "" {
		s.ips[ev.IP] = struct{}{}
	}
	if privileged(ev) {
		s.privileged++
	}
}

// dayKey is the event's date in the report's zone. Formatting a date per
// event is a measurable share of a million-event report, and events come
// sorted, so the last day's bounds are kept.
func (a *aggregate) dayKey(t time.Time) string {
	if !t.Before(a.lastDay) && t.Before(a.lastDayUntil) {
		return a.lastDayKey
	}
	l := t.In(a.loc)
	y, m, d := l.Date()
	a.lastDay = audit.DayStart(y, m, d, a.loc)
	a.lastDayUntil = audit.DayStart(y, m, d+1, a.loc)
	a.lastDayKey = l.Format(time.DateOnly)
	return a.lastDayKey
}

// privilegedWords are what make an event a privileged action.
var privilegedWords = []string{"role", "admin", "permission", "privilege", "policy", "grant", "key"}

// privileged reports whether an event counts as a privileged action on the
// Actors sheet. The rule is deliberately simple, so an auditor can check it
// by hand: the event is of category user, integration or configuration,
// and its action, or a changed field's path or before/after value, contains
// one of privilegedWords (case-insensitive, as a substring: it catches
// "AttachRolePolicy", "user.role_changed", "apiKey"; it also catches an
// unrelated word that holds one, such as "keyboard", which errs on the side
// of showing more).
func privileged(ev *audit.Event) bool {
	switch ev.Category {
	case audit.CategoryUser, audit.CategoryIntegration, audit.CategoryConfiguration:
	default:
		return false
	}
	if mentionsPrivilege(ev.Action) {
		return true
	}
	for _, c := range ev.Changes {
		if mentionsPrivilege(c.Path) || mentionsPrivilege(Value(c.Before)) || mentionsPrivilege(Value(c.After)) {
			return true
		}
	}
	return false
}

func mentionsPrivilege(s string) bool {
	s = strings.ToLower(s)
	for _, w := range privilegedWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// summary turns the aggregate into the report's Summary.
func (a *aggregate) summary(opts Options, loc *time.Location) *Summary {
	now := opts.Now
	if now.IsZero() {
		now = time.Now()
	}
	s := &Summary{Case: opts.Case, Query: opts.Query, From: opts.From, To: opts.To, Generated: now,
		Version: opts.Version, LogHead: opts.LogHead, Zone: zoneName(loc), Events: a.events, Changes: a.changes, Actors: len(a.actors),
		First: a.first, Last: a.last, FailedLogins: a.failed,
		ByCategory:   ordered(a.category, audit.Categories),
		ByOutcome:    ordered(a.outcome, []string{audit.OutcomeSuccess, audit.OutcomeFailure, audit.OutcomeUnknown}),
		TopActions:   top(a.action, TopN),
		TopIPs:       top(a.ip, TopN),
		FailedActors: top(a.failedActor, TopN),
		FailedIPs:    top(a.failedIP, TopN),
	}
	actors := make(map[string]int, len(a.actors))
	for k, v := range a.actors {
		actors[k] = v.events
	}
	s.TopActors = top(actors, TopN)
	for k, n := range a.day {
		s.ByDay = append(s.ByDay, Count{k, n})
	}
	slices.SortFunc(s.ByDay, func(x, y Count) int { return cmp.Compare(x.Key, y.Key) })
	return s
}

// ordered lists the known keys first, in their order and even when zero,
// then any other key found, by name.
func ordered(m map[string]int, known []string) []Count {
	out := make([]Count, 0, len(known))
	for _, k := range known {
		out = append(out, Count{k, m[k]})
	}
	var rest []Count
	for k, n := range m {
		if !slices.Contains(known, k) {
			rest = append(rest, Count{k, n})
		}
	}
	slices.SortFunc(rest, func(x, y Count) int { return cmp.Compare(x.Key, y.Key) })
	return append(out, rest...)
}

// top lists the n largest counts, largest first, ties by name.
func top(m map[string]int, n int) []Count {
	out := make([]Count, 0, len(m))
	for k, v := range m {
		out = append(out, Count{k, v})
	}
	slices.SortFunc(out, byCount)
	if len(out) > n {
		out = out[:n]
	}
	return out
}

func byCount(x, y Count) int {
	if c := cmp.Compare(y.N, x.N); c != 0 {
		return c
	}
	return cmp.Compare(x.Key, y.Key)
}
