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
// what, to what, and every value of the raw record.
func freeText(ev *audit.Event) string {
	var b strings.Builder
	b.WriteString(ev.Message)
	for _, s := range []string{ev.Actor.Name, ev.Actor.Email, ev.Actor.ID, ev.Action, ev.IP} {
		b.WriteByte(' ')
		b.WriteString(s)
	}
	for _, t := range ev.Targets {
		b.WriteByte(' ')
		b.WriteString(t.Name)
		b.WriteByte(' ')
		b.WriteString(t.ID)
	}
	b.WriteByte(' ')
	b.WriteString(rawValues(ev.Raw))
	return b.String()
}

// rawValues keeps the string and number values of a JSON record, dropping
// its keys and punctuation; any other record is its own text.
func rawValues(raw []byte) string {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		return string(raw)
	}
	var b strings.Builder
	b.Grow(len(raw) / 2)
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
				return b.String()
			}
			k := j + 1
			for k < len(t) && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r' || t[k] == '\n') {
				k++
			}
			if k >= len(t) || t[k] != ':' { // a value, not a key
				writeUnescaped(&b, t[i+1:j])
				b.WriteByte(' ')
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(t) && strings.IndexByte("+-.eE0123456789", t[j]) >= 0 {
				j++
			}
			b.Write(t[i:j])
			b.WriteByte(' ')
			i = j - 1
		}
	}
	return b.String()
}

// writeUnescaped writes a JSON string body, turning the common escapes into
// spaces or their characters; text search needs words, not exact bytes.
func writeUnescaped(b *strings.Builder, s []byte) {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b.WriteByte(s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 't', 'r', 'b', 'f':
			b.WriteByte(' ')
		case 'u':
			b.WriteByte(' ')
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
}
