package ingest

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestUserMapping(t *testing.T) {
	m, err := LoadMapping(filepath.Join("testdata", "usermapping", "acme-vpn.json"))
	if err != nil {
		t.Fatal(err)
	}
	h, errs := importPaths(t, Options{Mappings: []*Format{m}}, filepath.Join("testdata", "usermapping", "acme-vpn.ndjson"))
	if len(errs) > 0 || len(h.events) != 3 {
		t.Fatalf("%v, %d events", errs, len(h.events))
	}
	a, b, other := h.events[0], h.events[1], h.events[2]
	if a.Format != "acme.vpn" || a.Actor.Email != "dana@acme.io" || a.Action != "connect" || a.Category != "access" ||
		a.Outcome != "success" || a.IP != "203.0.113.9" || a.Session != "s-1" || !a.Time.Equal(time.Unix(1780000000, 0)) ||
		len(a.Targets) != 1 || a.Targets[0].Name != "gw-eu-1" || a.Targets[0].Type != "gateway" {
		t.Fatalf("first event: %+v", a)
	}
	if b.Outcome != "failure" || len(b.Changes) != 1 || b.Changes[0].Path != "split_tunnel.enabled" ||
		b.Changes[0].Before != false || b.Changes[0].After != true {
		t.Fatalf("second event: outcome %s changes %+v", b.Outcome, b.Changes)
	}
	if other.Format != "generic" {
		t.Fatalf("a record the mapping does not detect falls back: %s", other.Format)
	}
	if h.sources[0].Fallback != 1 {
		t.Fatalf("fallback count %d, want 1", h.sources[0].Fallback)
	}
	// forced by name, the mapping reads every record
	h, _ = importPaths(t, Options{Format: "acme.vpn", Mappings: []*Format{m}}, filepath.Join("testdata", "usermapping", "acme-vpn.ndjson"))
	if len(h.events) != 3 || h.events[2].Format != "acme.vpn" {
		t.Fatalf("forced format: %d events", len(h.events))
	}
}

func TestBadMappings(t *testing.T) {
	cases := map[string]string{
		"bad-unknown-field.json": `line 4: unknown field "actr_name"`,
		"bad-regex.json":         "category rule 1",
		"bad-no-time.json":       "no time paths",
		"bad-builtin-name.json":  "built-in format's name",
		"bad-no-detect.json":     `"detect" needs`,
		"bad-type.json":          `"mapping.time" must be`,
	}
	for file, want := range cases {
		_, err := LoadMapping(filepath.Join("testdata", "usermapping", file))
		if err == nil || !strings.Contains(err.Error(), file) || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: error %v, want one naming the file and saying %q", file, err, want)
		}
	}
}

// Every built-in mapping prints as JSON that loads back as a user mapping
// (once given a name and a detection rule): the built-ins are the examples.
func TestBuiltinMappingsAsExamples(t *testing.T) {
	for _, f := range Formats() {
		b, err := MappingJSON(f.Name)
		if err != nil {
			t.Fatal(err)
		}
		var mf MappingFile
		dec := json.NewDecoder(strings.NewReader(string(b)))
		var raw map[string]json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(raw["mapping"], &mf.Mapping); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		if _, err := mf.Mapping.compile(); err != nil {
			t.Fatalf("%s: the printed mapping does not compile: %v", f.Name, err)
		}
	}
}
