package ingest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"

	"auditlens/backend/audit"
)

// MappingFile is a format a user writes as JSON, without rebuilding:
//
//	{"name": "acme.vpn", "description": "ACME VPN sessions",
//	 "detect": {"has": ["session_id", "ts"], "equals": {"product": "acme-vpn"}},
//	 "mapping": {"time": ["ts"], "actor_name": ["user"], "action": ["event"], "ip": ["src"]}}
//
// The mapping's fields are those of Mapping (see `auditlens formats --json NAME`
// for the built-in ones as examples).
type MappingFile struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Detect      DetectRule `json:"detect"`
	Mapping     Mapping    `json:"mapping"`
}

// DetectRule recognises a record: every path in Has has a value, and every
// path in Equals has that value (compared as text, case-insensitively).
type DetectRule struct {
	Has    []string          `json:"has,omitempty"`
	Equals map[string]string `json:"equals,omitempty"`
}

func (d DetectRule) compile() func(Fields) bool {
	has := make([]fieldPath, len(d.Has))
	for i, p := range d.Has {
		has[i] = parsePath(p)
	}
	keys := make([]string, 0, len(d.Equals))
	for k := range d.Equals {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	eq := make([]fieldPath, len(keys))
	for i, k := range keys {
		eq[i] = parsePath(k)
	}
	return func(f Fields) bool {
		for _, p := range has {
			if get(f, p) == nil {
				return false
			}
		}
		for i, p := range eq {
			if !strings.EqualFold(str(get(f, p)), d.Equals[keys[i]]) {
				return false
			}
		}
		return true
	}
}

// LoadMapping reads a user mapping; the error names the file and what is wrong.
func LoadMapping(path string) (*Format, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "mapping %s: %v", path, cleanOSError(err))
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	var mf MappingFile
	if err := dec.Decode(&mf); err != nil {
		return nil, audit.Errorf(audit.EINVALID, "mapping %s: %s", path, jsonErr(b, err, dec.InputOffset()))
	}
	switch {
	case mf.Name == "":
		return nil, audit.Errorf(audit.EINVALID, "mapping %s: it has no \"name\"", path)
	case len(mf.Detect.Has) == 0 && len(mf.Detect.Equals) == 0:
		return nil, audit.Errorf(audit.EINVALID, "mapping %s: \"detect\" needs \"has\" or \"equals\", or every record would match", path)
	}
	for _, f := range registry {
		if f.Name == mf.Name {
			return nil, audit.Errorf(audit.EINVALID, "mapping %s: %q is a built-in format's name; choose another", path, mf.Name)
		}
	}
	c, err := mf.Mapping.compile()
	if err != nil {
		return nil, audit.Errorf(audit.EINVALID, "mapping %s: %v", path, err)
	}
	desc := mf.Description
	if desc == "" {
		desc = "user mapping from " + filepath.Base(path)
	}
	return &Format{Name: mf.Name, Description: desc, Detect: mf.Detect.compile(), Mapping: mf.Mapping, compiled: c}, nil
}

// LoadMappings reads every *.json of a folder (a case's mappings/), sorted.
func LoadMappings(dir string) ([]*Format, error) {
	files, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return nil, err
	}
	sort.Strings(files)
	var out []*Format
	for _, f := range files {
		m, err := LoadMapping(f)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, nil
}

// jsonErr says where a JSON document is wrong, by line (at is where the
// decoder stopped, for errors that carry no offset of their own).
func jsonErr(b []byte, err error, at int64) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case asErr(err, &se):
		off = se.Offset
	case asErr(err, &te):
		off = te.Offset
		return fmt.Sprintf("line %d: %q must be %s, not %s", lineOf(b, off), te.Field, te.Type, te.Value)
	}
	if m := unknownField.FindStringSubmatch(err.Error()); m != nil {
		if i := bytes.Index(b, []byte(`"`+m[1]+`"`)); i >= 0 {
			off = int64(i)
		}
	}
	if off < 0 {
		off = at
	}
	return fmt.Sprintf("line %d: %s", lineOf(b, off), strings.TrimPrefix(err.Error(), "json: "))
}

var unknownField = regexp.MustCompile(`unknown field "([^"]*)"`)

func lineOf(b []byte, off int64) int {
	if off > int64(len(b)) {
		off = int64(len(b))
	}
	return bytes.Count(b[:off], []byte{'\n'}) + 1
}

func asErr[T error](err error, target *T) bool {
	e, ok := err.(T)
	if ok {
		*target = e
	}
	return ok
}

// MappingJSON is the JSON of a built-in format's mapping, to start a user
// mapping from.
func MappingJSON(name string) ([]byte, error) {
	f, err := FormatByName(name)
	if err != nil {
		return nil, err
	}
	doc := map[string]any{
		"name":        f.Name + ".custom",
		"description": f.Description,
		"detect":      DetectRule{Has: []string{"REPLACE.with.paths.every.record.has"}},
		"mapping":     f.Mapping,
	}
	if f.Prepare != nil || f.Finish != nil {
		doc["note"] = "the built-in format also runs code that a JSON mapping cannot express (Prepare/Finish); remove this note before loading"
	}
	return json.MarshalIndent(doc, "", "  ")
}
