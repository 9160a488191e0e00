package search

import (
	"bytes"
	"strings"

	"auditlens/backend/audit"
)

// fields is what the index holds of an event, besides its time (a
// timeField): the normalized fields, and one free text (see freeText).
func fields(ev *audit.Event) map[string]any {
	targets := make([]map[string]any, 0, len(ev.Targets))
	for _, t := range ev.Targets {
		targets = append(targets, nonEmpty(map[string]any{"type": t.Type, "id": t.ID, "name": t.Name}))
	}
	doc := nonEmpty(map[string]any{
		"format":     ev.Format,
		"category":   ev.Category,
		"action":     ev.Action,
		"outcome":    ev.Outcome,
		"ip":         ev.IP,
		"user_agent": ev.UserAgent,
		"session":    ev.Session,
		"request":    ev.Request,
		"message":    ev.Message,
		"source":     ev.Source.Name,
		"text":       freeText(ev),
	})
	doc["actor"] = nonEmpty(map[string]any{"id": ev.Actor.ID, "name": ev.Actor.Name, "email": ev.Actor.Email,
		"type": ev.Actor.Type, "label": ev.Actor.Label()})
	doc["targets"] = targets
	if len(ev.Tags) > 0 {
		doc["tag"] = ev.Tags
	}
	return doc
}

// nonEmpty drops empty strings: a missing value is not a term (and a facet
// counts it as missing, not as "").
func nonEmpty(m map[string]any) map[string]any {
	for k, v := range m {
		if s, ok := v.(string); ok && s == "" {
			delete(m, k)
		}
	}
	return m
}

// freeText is what a query word without a field searches: the message, who,
// what, to what, and every value of the raw record, each distinct value once
// (a record repeats its actor, action and targets, and its before and after
// share most values: the demo's text has a third fewer words), the values
// separated by valueSep. Values that differ only in ASCII case are one:
// their words are the same terms.
func freeText(ev *audit.Event) string {
	var v textValues
	v.add(ev.Message)
	for _, s := range []string{ev.Actor.Name, ev.Actor.Email, ev.Actor.ID, ev.Action, ev.IP} {
		v.add(s)
	}
	for _, t := range ev.Targets {
		v.add(t.Name)
		v.add(t.ID)
	}
	eachRawValue(ev.Raw, &v)
	return string(v.b)
}

// textValues builds a free text of distinct values.
type textValues struct {
	b     []byte
	spans [][2]int // where each value kept lies in b
	start int      // where the value being written starts
	// folded holds the kept values, ASCII lower-cased, once there are many:
	// a hostile record of a million values must not be compared value by
	// value (Go's maps hash with a per-map random seed).
	folded map[string]struct{}
}

// hashFrom is how many values are compared one by one before folded (the
// demo's records have at most a few dozen).
const hashFrom = 64

func (v *textValues) add(s string) {
	v.begin()
	v.b = append(v.b, s...)
	v.end()
}

func (v *textValues) begin() { v.start = len(v.b) }

// end keeps the value written since begin unless it is empty or one
// already kept.
func (v *textValues) end() {
	val := v.b[v.start:]
	if len(val) == 0 {
		return
	}
	if v.folded != nil {
		key := asciiLower(val)
		if _, ok := v.folded[key]; ok {
			v.b = v.b[:v.start]
			return
		}
		v.folded[key] = struct{}{}
	} else {
		for _, sp := range v.spans {
			if sp[1]-sp[0] == len(val) && asciiFoldEqual(v.b[sp[0]:sp[1]], val) {
				v.b = v.b[:v.start]
				return
			}
		}
	}
	v.spans = append(v.spans, [2]int{v.start, len(v.b)})
	v.b = append(v.b, valueSep)
	if v.folded == nil && len(v.spans) == hashFrom {
		v.folded = make(map[string]struct{}, 4*hashFrom)
		for _, sp := range v.spans {
			v.folded[asciiLower(v.b[sp[0]:sp[1]])] = struct{}{}
		}
	}
}

// asciiLower is b with its ASCII letters lower-cased: values asciiFoldEqual
// finds equal have the same.
func asciiLower(b []byte) string {
	out := []byte(string(b))
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}

// asciiFoldEqual: a and b are the same bytes but for the case of ASCII
// letters, so the words analyzer gives them the same terms.
func asciiFoldEqual(a, b []byte) bool {
	for i := range a {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// eachRawValue adds the string and number values of a JSON record to v, or
// the whole record when it is not JSON.
func eachRawValue(raw []byte, v *textValues) {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		v.add(string(raw))
		return
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(t) && t[j] != '"' {
				if t[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(t) {
				return
			}
			k := j + 1
			for k < len(t) && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r' || t[k] == '\n') {
				k++
			}
			if k >= len(t) || t[k] != ':' { // a value, not a key
				v.begin()
				v.b = appendUnescaped(v.b, t[i+1:j])
				v.end()
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(t) && strings.IndexByte("+-.eE0123456789", t[j]) >= 0 {
				j++
			}
			v.begin()
			v.b = append(v.b, t[i:j]...)
			v.end()
			i = j - 1
		}
	}
}

// appendUnescaped appends a JSON string body, turning the common escapes into
// spaces or their characters; text search needs words, not exact bytes.
func appendUnescaped(b []byte, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b = append(b, s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 't', 'r', 'b', 'f':
			b = append(b, ' ')
		case 'u':
			b = append(b, ' ')
			i += 4
		default:
			b = append(b, s[i])
		}
	}
	return b
}
