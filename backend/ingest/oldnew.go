package ingest

import (
	"sort"
	"strings"

	"auditlens/backend/audit"
	"auditlens/backend/diff"
)

// oldNewChanges reads the before and after values a record gives as pairs
// of keys rather than as states: oldRuleRank/newRuleRank (Okta's
// debugData), old-level/new-level, old_pp/new_pp, and old-auid beside auid
// (auditd). A key is one of a pair when "old" or "new" is followed by a
// separator or a capital letter (not "newsletter"). Each pair is compared
// as a change spec's before and after are (JSON inside a string decoded,
// objects key by key), so a pair whose values are equal is no change and
// Okta's PolicyExtensiblePropertiesJson gives the keys that changed, not
// two kilobytes of text. An old value whose new one the record does not
// give (GitHub's data.old_user) is none either. The changes are sorted by
// name.
func oldNewChanges(m map[string]any) []audit.Change {
	type pair struct {
		before, after any
		old, new      bool
	}
	pairs := map[string]*pair{}
	for k, v := range m {
		age, name, ok := oldNewKey(k)
		if !ok {
			continue
		}
		p := pairs[name]
		if p == nil {
			p = &pair{}
			pairs[name] = p
		}
		if age == "old" {
			p.before, p.old = v, true
		} else {
			p.after, p.new = v, true
		}
	}
	var out []audit.Change
	for name, p := range pairs {
		if p.old && !p.new { // old-auid beside auid
			v, ok := m[name]
			if !ok {
				v, ok = m[strings.ToLower(name[:1])+name[1:]]
			}
			if !ok {
				// GitHub's repo.transfer gives data.old_user alone: a
				// change to nothing would read as the user removed.
				continue
			}
			p.after = v
		}
		out = append(out, diff.Values(name, unwrapValue(p.before), unwrapValue(p.after))...)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// oldNewKey splits oldRuleRank into ("old", "RuleRank"), old-level into
// ("old", "level").
func oldNewKey(k string) (age, name string, ok bool) {
	for _, a := range []string{"old", "new"} {
		rest, found := strings.CutPrefix(k, a)
		if !found || rest == "" {
			continue
		}
		switch c := rest[0]; {
		case c == '-' || c == '_':
			if len(rest) > 1 {
				return a, rest[1:], true
			}
		case c >= 'A' && c <= 'Z':
			return a, rest, true
		}
	}
	return "", "", false
}
