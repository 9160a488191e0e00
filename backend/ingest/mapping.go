package ingest

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"sync"

	"auditlens/backend/audit"
	"auditlens/backend/diff"
)

// Mapping says, with field paths, where each normalized field lives in a
// vendor's record. It is data: it reads at a glance and can be written as JSON.
type Mapping struct {
	Time       Paths             `json:"time"`
	ActorID    Paths             `json:"actor_id,omitempty"`
	ActorName  Paths             `json:"actor_name,omitempty"`
	ActorEmail Paths             `json:"actor_email,omitempty"`
	ActorType  Paths             `json:"actor_type,omitempty"`
	ActorTypes map[string]string `json:"actor_types,omitempty"` // vendor value (any case) -> user|service|system|api_key
	Action     Paths             `json:"action"`
	Targets    []TargetSpec      `json:"targets,omitempty"`
	IP         Paths             `json:"ip,omitempty"`
	UserAgent  Paths             `json:"user_agent,omitempty"`
	Session    Paths             `json:"session,omitempty"`
	Request    Paths             `json:"request,omitempty"`
	Message    Paths             `json:"message,omitempty"`
	Outcome    OutcomeSpec       `json:"outcome,omitempty"`
	Categories []CategoryRule    `json:"categories,omitempty"` // first match on the action wins
	Changes    []ChangeSpec      `json:"changes,omitempty"`
}

// TargetSpec reads targets: each value at Each (an object or an array of
// objects; "" = the record itself) gives one target.
type TargetSpec struct {
	Each   string `json:"each,omitempty"`
	Type   Paths  `json:"type,omitempty"`
	TypeIs string `json:"type_is,omitempty"` // a fixed type when the record names none
	ID     Paths  `json:"id,omitempty"`
	Name   Paths  `json:"name,omitempty"`
}

// OutcomeSpec reads the outcome: the first value at Paths is compared, without
// case, with Success and Failure; a number >= 400 is a failure (HTTP codes);
// a non-empty value at any FailureIfSet path (an errorCode) is a failure.
type OutcomeSpec struct {
	Paths        Paths    `json:"paths,omitempty"`
	Success      []string `json:"success,omitempty"`
	Failure      []string `json:"failure,omitempty"`
	FailureIfSet Paths    `json:"failure_if_set,omitempty"`
	Default      string   `json:"default,omitempty"` // when nothing is said; "" = unknown
}

// CategoryRule assigns Category when the action matches the regular
// expression Match (case-insensitive).
type CategoryRule struct {
	Match    string `json:"match"`
	Category string `json:"category"`
}

// ChangeSpec reads before/after values. Each value at Each ("" = the record)
// is one change entry: Path names the changed field, Before and After its
// values. When Path is empty, Before and After are whole states and are
// diffed field by field. With Pairs, the value's keys are old/new pairs
// (oldRuleRank and newRuleRank, old-level and new-level, old_user beside
// user: oldnew.go), and Path, Before and After are not used.
type ChangeSpec struct {
	Each   string `json:"each,omitempty"`
	Path   Paths  `json:"path,omitempty"`
	Before Paths  `json:"before"`
	After  Paths  `json:"after"`
	Pairs  bool   `json:"pairs,omitempty"`
}

// compiled is a Mapping with its paths parsed and its rules compiled.
type compiled struct {
	m                                               *Mapping
	time, actorID, actorName, actorEmail, actorType compiledPaths
	action, ip, ua, session, request, message       compiledPaths
	targets                                         []compiledTarget
	outcome, failIfSet                              compiledPaths
	success, failure                                map[string]bool
	categories                                      []compiledRule
	categoryCache                                   sync.Map // action -> category
	changes                                         []compiledChange
}

type compiledTarget struct {
	each          fieldPath
	typ, id, name compiledPaths
	typeIs        string
}

type compiledRule struct {
	re       *regexp.Regexp
	category string
}

type compiledChange struct {
	each                fieldPath
	path, before, after compiledPaths
	pairs               bool
}

func lowerSet(vs []string) map[string]bool {
	m := make(map[string]bool, len(vs))
	for _, v := range vs {
		m[strings.ToLower(v)] = true
	}
	return m
}

// compile checks and prepares m; the error says which part is wrong.
func (m *Mapping) compile() (*compiled, error) {
	if len(m.Time) == 0 {
		return nil, fmt.Errorf("mapping has no time paths")
	}
	if len(m.Action) == 0 {
		return nil, fmt.Errorf("mapping has no action paths")
	}
	c := &compiled{m: m,
		time: m.Time.compile(), actorID: m.ActorID.compile(), actorName: m.ActorName.compile(),
		actorEmail: m.ActorEmail.compile(), actorType: m.ActorType.compile(),
		action: m.Action.compile(), ip: m.IP.compile(), ua: m.UserAgent.compile(),
		session: m.Session.compile(), request: m.Request.compile(), message: m.Message.compile(),
		outcome: m.Outcome.Paths.compile(), failIfSet: m.Outcome.FailureIfSet.compile(),
		success: lowerSet(m.Outcome.Success), failure: lowerSet(m.Outcome.Failure),
	}
	for _, t := range m.Targets {
		c.targets = append(c.targets, compiledTarget{each: parsePath(t.Each),
			typ: t.Type.compile(), id: t.ID.compile(), name: t.Name.compile(), typeIs: t.TypeIs})
	}
	for i, r := range m.Categories {
		re, err := regexp.Compile("(?i)" + r.Match)
		if err != nil {
			return nil, fmt.Errorf("category rule %d: %v", i+1, err)
		}
		if !validCategory(r.Category) {
			return nil, fmt.Errorf("category rule %d: %q is not a category (%s)", i+1, r.Category, strings.Join(audit.Categories, ", "))
		}
		c.categories = append(c.categories, compiledRule{re, r.Category})
	}
	for _, ch := range m.Changes {
		c.changes = append(c.changes, compiledChange{each: parsePath(ch.Each),
			path: ch.Path.compile(), before: ch.Before.compile(), after: ch.After.compile(), pairs: ch.Pairs})
	}
	return c, nil
}

func validCategory(s string) bool {
	for _, c := range audit.Categories {
		if c == s {
			return true
		}
	}
	return false
}

// apply maps one record to ev. It fails only when no usable time is found.
func (c *compiled) apply(f Fields, ev *audit.Event) error {
	raw := c.time.value(f)
	t, noZone, ok := parseTime(raw)
	if !ok {
		if raw == nil {
			return fmt.Errorf("no usable time (looked at %s)", listSome(c.m.Time, 4))
		}
		if _, _, ok := parseAnyTime(raw); ok {
			return fmt.Errorf("no usable time: %q is outside the years 1971 to 2199", clip(str(raw), 60))
		}
		return fmt.Errorf("no usable time: %q is not a time", clip(str(raw), 60))
	}
	ev.Time, ev.TimeNoZone = t, noZone
	ev.Action = strings.TrimSpace(c.action.first(f))
	ev.Actor = audit.Actor{ID: c.actorID.first(f), Name: c.actorName.first(f),
		Email: c.actorEmail.first(f), Type: c.actorKind(f)}
	if ev.Actor.Email == "" && strings.Contains(ev.Actor.Name, "@") {
		ev.Actor.Email = ev.Actor.Name
	}
	if ev.Actor.Type == "" && !ev.Actor.Empty() {
		ev.Actor.Type = audit.ActorUser
	}
	ev.IP = c.ip.first(f)
	ev.UserAgent = c.ua.first(f)
	ev.Session = c.session.first(f)
	ev.Request = c.request.first(f)
	ev.Targets = c.readTargets(f)
	ev.Outcome = c.readOutcome(f)
	ev.Category = c.category(ev.Action)
	ev.Changes = c.readChanges(f)
	ev.Message = c.message.first(f)
	return nil
}

func (c *compiled) actorKind(f Fields) string {
	v := c.actorType.first(f)
	if v == "" {
		return ""
	}
	if t, ok := c.m.ActorTypes[strings.ToLower(v)]; ok {
		return t
	}
	for k, t := range c.m.ActorTypes {
		if strings.EqualFold(k, v) {
			return t
		}
	}
	switch strings.ToLower(v) {
	case audit.ActorUser, audit.ActorService, audit.ActorSystem, audit.ActorAPIKey:
		return strings.ToLower(v)
	}
	return audit.ActorUser
}

func (c *compiled) readTargets(f Fields) []audit.Target {
	var out []audit.Target
	for _, ts := range c.targets {
		for _, it := range eachItem(f, ts.each) {
			m, ok := it.(map[string]any)
			if !ok {
				if s := str(it); s != "" { // a bare value names the target
					out = append(out, audit.Target{Type: ts.typeIs, Name: s})
				}
				continue
			}
			t := audit.Target{Type: ts.typ.first(m), ID: ts.id.first(m), Name: ts.name.first(m)}
			if t.Type == "" {
				t.Type = ts.typeIs
			}
			if t.ID != "" || t.Name != "" {
				out = append(out, t)
			}
		}
	}
	return dedupeTargets(out)
}

func dedupeTargets(ts []audit.Target) []audit.Target {
	if len(ts) < 2 {
		return ts
	}
	seen := map[audit.Target]bool{}
	out := ts[:0]
	for _, t := range ts {
		if !seen[t] {
			seen[t] = true
			out = append(out, t)
		}
	}
	return out
}

func (c *compiled) readOutcome(f Fields) string {
	if len(c.failIfSet) > 0 && c.failIfSet.first(f) != "" {
		return audit.OutcomeFailure
	}
	if v := strings.ToLower(c.outcome.first(f)); v != "" {
		switch {
		case c.failure[v]:
			return audit.OutcomeFailure
		case c.success[v]:
			return audit.OutcomeSuccess
		}
		if n, err := strconv.Atoi(v); err == nil && n >= 100 && n < 600 {
			if n >= 400 {
				return audit.OutcomeFailure
			}
			return audit.OutcomeSuccess
		}
	}
	if c.m.Outcome.Default != "" {
		return c.m.Outcome.Default
	}
	return audit.OutcomeUnknown
}

// category classifies an action by the rules, then by keywords. Actions
// repeat a great deal, so each is classified once.
func (c *compiled) category(action string) string {
	if v, ok := c.categoryCache.Load(action); ok {
		return v.(string)
	}
	cat := ""
	for _, r := range c.categories {
		if r.re.MatchString(action) {
			cat = r.category
			break
		}
	}
	if cat == "" {
		cat = classify(action)
	}
	if len(action) < 200 {
		c.categoryCache.Store(action, cat)
	}
	return cat
}

func (c *compiled) readChanges(f Fields) []audit.Change {
	var out []audit.Change
	for _, cs := range c.changes {
		for _, it := range eachItem(f, cs.each) {
			m, ok := it.(map[string]any)
			if !ok {
				continue
			}
			if cs.pairs {
				out = append(out, oldNewChanges(m)...)
				continue
			}
			before, after := unwrapValue(cs.before.value(m)), unwrapValue(cs.after.value(m))
			if len(cs.path) == 0 {
				out = append(out, diff.Values("", before, after)...)
				continue
			}
			name := cs.path.first(m)
			if name == "" || (before == nil && after == nil) {
				continue
			}
			out = append(out, diff.Values(name, before, after)...)
		}
	}
	return out
}

// unwrapValue decodes a value that is JSON encoded inside a string, as
// often as it was encoded, so that the diff compares values, not escapes.
func unwrapValue(v any) any {
	for i := 0; i < 3; i++ {
		s, ok := v.(string)
		if !ok {
			return v
		}
		d, ok := decodeEmbedded(s)
		if !ok {
			return v
		}
		v = d
	}
	return v
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// listSome joins the first n names, noting how many more there are.
func listSome(names []string, n int) string {
	if len(names) <= n {
		return strings.Join(names, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(names[:n], ", "), len(names)-n)
}

// eachItem lists the values at p ("" = the record itself), an array's
// elements one by one.
func eachItem(f Fields, p fieldPath) []any {
	if len(p) == 0 {
		return []any{f}
	}
	var out []any
	for _, v := range getAll(f, p, nil) {
		if s, ok := v.(string); ok { // a list or object held in a string
			if d, ok := decodeEmbedded(s); ok {
				v = d
			}
		}
		if l, ok := v.([]any); ok {
			out = append(out, l...)
		} else {
			out = append(out, v)
		}
	}
	return out
}
