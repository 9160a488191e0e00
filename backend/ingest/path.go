package ingest

import (
	"strconv"
	"strings"

	json "github.com/goccy/go-json"
)

// A field path names values inside a record:
//
//	userIdentity.arn            nested keys
//	meta.remote_ip              a flat key that itself holds dots is found too
//	sourceIPs.0                 an array index
//	target.alternateId          arrays fan out: every element's alternateId
//	parameters[name=OLD_VALUE].value   the elements whose name is OLD_VALUE
//
// A string that holds JSON (or a Python dict) is decoded on the way down and
// the decoded value replaces it in the record, so it is decoded once.
type fieldPath []string

func parsePath(s string) fieldPath {
	var segs fieldPath
	depth, start := 0, 0
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '[':
			if depth == 0 && i > start {
				segs = append(segs, s[start:i])
				start = i
			}
			depth++
		case ']':
			depth--
		case '.':
			if depth == 0 {
				if i > start {
					segs = append(segs, s[start:i])
				}
				start = i + 1
			}
		}
	}
	if start < len(s) {
		segs = append(segs, s[start:])
	}
	return segs
}

// getAll appends every value found at p under v to out.
func getAll(v any, p fieldPath, out []any) []any {
	if len(p) == 0 {
		if v != nil {
			out = append(out, v)
		}
		return out
	}
	switch t := v.(type) {
	case map[string]any:
		if x, ok := t[p[0]]; ok {
			if len(p) > 1 {
				x = decoded(t, p[0], x)
			}
			return getAll(x, p[1:], out)
		}
		for n := 2; n <= len(p); n++ { // flat keys with dots: "meta.remote_ip"
			k := strings.Join(p[:n], ".")
			if x, ok := t[k]; ok {
				if n < len(p) {
					x = decoded(t, k, x)
				}
				return getAll(x, p[n:], out)
			}
		}
	case []any:
		seg := p[0]
		if sel, ok := parseSelector(seg); ok {
			for _, e := range t {
				if m, ok := e.(map[string]any); ok && strings.EqualFold(str(m[sel[0]]), sel[1]) {
					out = getAll(e, p[1:], out)
				}
			}
			return out
		}
		if i, err := strconv.Atoi(seg); err == nil {
			if i >= 0 && i < len(t) {
				return getAll(t[i], p[1:], out)
			}
			return out
		}
		for _, e := range t {
			out = getAll(e, p, out)
		}
	case string:
		if d, ok := decodeEmbedded(t); ok {
			return getAll(d, p, out)
		}
	}
	return out
}

// decoded returns x, or x decoded when it is a string holding JSON, storing
// the decoded value back into m.
func decoded(m map[string]any, k string, x any) any {
	if s, ok := x.(string); ok {
		if d, ok := decodeEmbedded(s); ok {
			m[k] = d
			return d
		}
	}
	return x
}

func parseSelector(seg string) ([2]string, bool) {
	if len(seg) < 3 || seg[0] != '[' || seg[len(seg)-1] != ']' {
		return [2]string{}, false
	}
	k, v, ok := strings.Cut(seg[1:len(seg)-1], "=")
	return [2]string{k, v}, ok
}

// get returns the first value at p.
func get(v any, p fieldPath) any {
	var buf [4]any
	out := getAll(v, p, buf[:0])
	if len(out) == 0 {
		return nil
	}
	return out[0]
}

// str renders a scalar as text: numbers exactly as written, an array as its
// first non-empty element, an object as "" (not a scalar).
func str(v any) string {
	switch t := v.(type) {
	case nil:
		return ""
	case string:
		return t
	case json.Number:
		return t.String()
	case bool:
		return strconv.FormatBool(t)
	case float64:
		return strconv.FormatFloat(t, 'f', -1, 64)
	case []any:
		for _, e := range t {
			if s := str(e); s != "" {
				return s
			}
		}
	}
	return ""
}

// Paths is a list of field paths tried in order; the first non-empty value wins.
// A fieldPath may join several with "+": "objectRef.resource+verb" gives "pods.create".
type Paths []string

type compiledPaths [][]fieldPath

func (ps Paths) compile() compiledPaths {
	out := make(compiledPaths, len(ps))
	for i, p := range ps {
		for _, part := range strings.Split(p, "+") {
			out[i] = append(out[i], parsePath(part))
		}
	}
	return out
}

// first returns the first non-empty scalar found.
func (cp compiledPaths) first(f Fields) string {
	for _, alts := range cp {
		if len(alts) == 1 {
			if s := str(get(f, alts[0])); s != "" {
				return s
			}
			continue
		}
		var parts []string
		for _, p := range alts {
			if s := str(get(f, p)); s != "" {
				parts = append(parts, s)
			}
		}
		if len(parts) > 0 {
			return strings.Join(parts, ".")
		}
	}
	return ""
}

// value returns the first non-nil value found (any JSON type).
func (cp compiledPaths) value(f Fields) any {
	for _, alts := range cp {
		if v := get(f, alts[0]); v != nil {
			return v
		}
	}
	return nil
}
