package ingest

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"auditlens/backend/audit"
)

// Format is one vendor's export shape: how to recognise a record of it and
// how its fields map to the normalized event.
type Format struct {
	Name        string
	Description string
	// Detect tells, from one decoded record, whether it is of this format.
	Detect func(Fields) bool
	// Prepare, when set, reshapes a record before mapping (a syslog line to
	// parse, keys to normalise); the raw record is not touched.
	Prepare func(Fields) Fields
	Mapping Mapping
	// Finish, when set, fills what field paths cannot say.
	Finish func(Fields, *audit.Event)

	compiled *compiled
}

// registry holds the built-in formats, most specific first; generic is last
// and matches anything.
var registry []*Format

func register(f *Format) *Format {
	c, err := f.Mapping.compile()
	if err != nil {
		panic(fmt.Sprintf("format %s: %v", f.Name, err))
	}
	f.compiled = c
	registry = append(registry, f)
	return f
}

// Formats lists the built-in formats in detection order, generic last.
func Formats() []*Format {
	out := append([]*Format(nil), registry...)
	sort.SliceStable(out, func(i, j int) bool { return out[j].Name == genericName && out[i].Name != genericName })
	return out
}

// FormatByName finds a format; the error lists the known names.
func FormatByName(name string) (*Format, error) {
	for _, f := range registry {
		if f.Name == name {
			return f, nil
		}
	}
	var names []string
	for _, f := range Formats() {
		names = append(names, f.Name)
	}
	return nil, audit.Errorf(audit.EINVALID, "unknown format %q (known: %s)", name, strings.Join(names, ", "))
}

// detect returns the first format whose Detect accepts f.
func detect(f Fields) *Format {
	for _, fm := range Formats() {
		if fm.Detect(f) {
			return fm
		}
	}
	return generic
}

// mapRecord turns a decoded record into ev with format fm.
func (fm *Format) mapRecord(f Fields, ev *audit.Event) error {
	if fm.Prepare != nil {
		f = fm.Prepare(f)
	}
	if err := fm.compiled.apply(f, ev); err != nil {
		return err
	}
	if fm.Finish != nil {
		fm.Finish(f, ev)
	}
	ev.Format = fm.Name
	ev.IP = cleanIP(ev.IP)
	if ev.Targets == nil {
		ev.Targets = []audit.Target{}
	}
	if ev.Changes == nil {
		ev.Changes = []audit.Change{}
	}
	ev.Tags = []string{}
	if ev.Message == "" {
		ev.Message = defaultMessage(ev)
	}
	return nil
}

func defaultMessage(ev *audit.Event) string {
	parts := []string{}
	if a := ev.Actor.Label(); a != "" {
		parts = append(parts, a)
	}
	if ev.Action != "" {
		parts = append(parts, ev.Action)
	}
	for i, t := range ev.Targets {
		if i == 2 {
			parts = append(parts, fmt.Sprintf("(+%d more)", len(ev.Targets)-2))
			break
		}
		if l := t.Label(); l != "" {
			if t.Type != "" {
				l = t.Type + " " + l
			}
			parts = append(parts, l)
		}
	}
	if ev.Outcome == audit.OutcomeFailure {
		parts = append(parts, "(failed)")
	}
	return strings.Join(parts, " ")
}

// pathCache keeps the parsed paths of Detect functions.
var pathCache sync.Map

func cachedPath(p string) fieldPath {
	if v, ok := pathCache.Load(p); ok {
		return v.(fieldPath)
	}
	fp := parsePath(p)
	pathCache.Store(p, fp)
	return fp
}

// has reports whether every path exists with a non-nil value in f.
func has(f Fields, paths ...string) bool {
	for _, p := range paths {
		if get(f, cachedPath(p)) == nil {
			return false
		}
	}
	return true
}

// hasAny reports whether any path has a value in f.
func hasAny(f Fields, paths ...string) bool {
	for _, p := range paths {
		if get(f, cachedPath(p)) != nil {
			return true
		}
	}
	return false
}

// isString reports whether f[key] is a string.
func isString(f Fields, key string) bool {
	_, ok := f[key].(string)
	return ok
}

// cleanIP drops the port some exports append ("198.51.100.7:51234",
// "[2001:db8::1]:443"), so that one address is one facet value.
func cleanIP(s string) string {
	s = strings.TrimSpace(s)
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i > 0 {
			return s[1:i]
		}
	}
	if strings.Count(s, ":") == 1 && strings.Count(s, ".") == 3 {
		if host, port, ok := strings.Cut(s, ":"); ok && port != "" && strings.Trim(port, "0123456789") == "" {
			return host
		}
	}
	return s
}
