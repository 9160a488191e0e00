package demo_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/demo"
)

// rec is one parsed line.
type rec struct {
	ID        string `json:"id"`
	Timestamp string `json:"timestamp"`
	Tenant    string `json:"tenant"`
	Actor     struct {
		ID, Type, Name, Email string
	} `json:"actor"`
	Action   string `json:"action"`
	Resource struct {
		Type, ID, Name string
	} `json:"resource"`
	Result string  `json:"result"`
	Reason *string `json:"reason"`
	Client struct {
		IP        string `json:"ip"`
		UserAgent string `json:"userAgent"`
	} `json:"client"`
	SessionID string          `json:"sessionId"`
	RequestID string          `json:"requestId"`
	Before    json.RawMessage `json:"before"`
	After     json.RawMessage `json:"after"`

	t time.Time
}

func (r *rec) hasBefore() bool { return string(r.Before) != "null" }
func (r *rec) hasAfter() bool  { return string(r.After) != "null" }

const tsLayout = "2006-01-02T15:04:05.000Z"

var defaultEnd = time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)

func generate(t testing.TB, o demo.Options) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := demo.Generate(o, &buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

var (
	eventID   = regexp.MustCompile(`^evt_[0-9a-f]{16}$`)
	requestID = regexp.MustCompile(`^req_[0-9a-f]{10}$`)
	member    = regexp.MustCompile(`^audit-log/(\d{4}-\d{2})\.ndjson$`)
)

// parse decodes every record; it checks the line structure, and with
// strict also the presence and types of all required keys.
func parse(t testing.TB, data []byte, strict bool) []rec {
	t.Helper()
	if len(data) == 0 || data[len(data)-1] != '\n' {
		t.Fatal("output does not end with a newline")
	}
	required := []string{"id", "timestamp", "tenant", "actor", "action", "resource", "result", "client", "sessionId", "requestId", "before", "after"}
	var out []rec
	for i, line := range bytes.Split(data[:len(data)-1], []byte("\n")) {
		var r rec
		if err := json.Unmarshal(line, &r); err != nil {
			t.Fatalf("line %d: not a JSON object: %v", i+1, err)
		}
		ts, err := time.Parse(tsLayout, r.Timestamp)
		if err != nil || ts.Format(tsLayout) != r.Timestamp {
			t.Fatalf("line %d: timestamp %q is not RFC 3339 UTC with milliseconds", i+1, r.Timestamp)
		}
		r.t = ts
		out = append(out, r)
		if !strict {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal(line, &m); err != nil {
			t.Fatalf("line %d: not a JSON object: %v", i+1, err)
		}
		for _, k := range required {
			if _, ok := m[k]; !ok {
				t.Fatalf("line %d: missing %q: %s", i+1, k, line)
			}
		}
		for key, sub := range map[string][]string{"actor": {"id", "type", "name", "email"}, "resource": {"type", "id", "name"}, "client": {"ip", "userAgent"}} {
			obj, ok := m[key].(map[string]any)
			if !ok {
				t.Fatalf("line %d: %s is not an object", i+1, key)
			}
			for _, k := range sub {
				if _, ok := obj[k].(string); !ok {
					t.Fatalf("line %d: %s.%s missing or not a string", i+1, key, k)
				}
			}
		}
		if _, ok := m["reason"]; ok != (r.Result == "FAILURE") {
			t.Fatalf("line %d: reason present: %v, result %s", i+1, ok, r.Result)
		}
	}
	return out
}

func TestDeterministic(t *testing.T) {
	o := demo.Options{Events: 5000, Seed: 42}
	a, b := generate(t, o), generate(t, o)
	if !bytes.Equal(a, b) {
		t.Fatal("same options gave different output")
	}
	o.Seed = 43
	if c := generate(t, o); bytes.Equal(a, c) {
		t.Fatal("different seeds gave the same output")
	}
}

func TestOptionsValidated(t *testing.T) {
	if err := demo.Generate(demo.Options{}, io.Discard); err == nil {
		t.Fatal("Events 0 accepted")
	}
	if err := demo.Generate(demo.Options{Events: 10, Days: -1}, io.Discard); err == nil {
		t.Fatal("negative Days accepted")
	}
}

func TestRecords(t *testing.T) {
	cases := []demo.Options{
		{Events: 20000, Seed: 1},
		{Events: 3000, Seed: 2, End: time.Date(2025, 3, 15, 12, 34, 56, 789_000_000, time.FixedZone("x", 3600)), Days: 30},
		{Events: 150, Seed: 3, Days: 2},
		{Events: 5, Seed: 4},
	}
	for _, o := range cases {
		recs := parse(t, generate(t, o), true)
		if len(recs) != o.Events {
			t.Fatalf("%+v: %d records", o, len(recs))
		}
		end, days := o.End, o.Days
		if end.IsZero() {
			end = defaultEnd
		}
		if days == 0 {
			days = 180
		}
		start := end.Add(-time.Duration(days) * 24 * time.Hour)
		ids, reqs := map[string]bool{}, map[string]bool{}
		for i, r := range recs {
			if r.t.Before(start) || !r.t.Before(end) {
				t.Fatalf("%+v: record %d at %s outside [%s, %s)", o, i, r.t, start, end)
			}
			if i > 0 && r.t.Before(recs[i-1].t) {
				t.Fatalf("record %d goes back in time", i)
			}
			if ids[r.ID] || reqs[r.RequestID] {
				t.Fatalf("record %d: duplicate id or requestId", i)
			}
			ids[r.ID], reqs[r.RequestID] = true, true
			if !eventID.MatchString(r.ID) || !requestID.MatchString(r.RequestID) {
				t.Fatalf("record %d: bad ids %q %q", i, r.ID, r.RequestID)
			}
			if r.Tenant != "acme-oncall" {
				t.Fatalf("record %d: tenant %q", i, r.Tenant)
			}
			switch r.Actor.Type {
			case "SYSTEM":
				if r.Actor.ID != "system" || r.Actor.Name != "ilert" || r.Client.IP != "" || r.Client.UserAgent != "" || r.SessionID != "" {
					t.Fatalf("record %d: bad SYSTEM record", i)
				}
			case "API_KEY":
				if !strings.HasPrefix(r.Actor.ID, "key_") || r.Actor.Email != "" || r.SessionID != "" || r.Client.IP == "" {
					t.Fatalf("record %d: bad API_KEY record", i)
				}
			case "USER":
				if !strings.HasSuffix(r.Actor.Email, "@acme.io") || r.Client.IP == "" || r.Client.UserAgent == "" {
					t.Fatalf("record %d: bad USER record", i)
				}
				if r.SessionID == "" && r.Action != "user.login_failed" && r.Result != "FAILURE" {
					t.Fatalf("record %d: user action without session", i)
				}
			default:
				t.Fatalf("record %d: actor type %q", i, r.Actor.Type)
			}
			switch r.Result {
			case "SUCCESS":
				if r.Reason != nil {
					t.Fatalf("record %d: SUCCESS with a reason", i)
				}
			case "FAILURE":
				if r.Reason == nil || !slices.Contains([]string{"invalid password", "MFA challenge failed", "insufficient permissions"}, *r.Reason) {
					t.Fatalf("record %d: FAILURE without a known reason", i)
				}
			default:
				t.Fatalf("record %d: result %q", i, r.Result)
			}
		}
	}
}

func TestWriteZip(t *testing.T) {
	o := demo.Options{Events: 30000, Seed: 21, Days: 100}
	want := generate(t, o)
	path := filepath.Join(t.TempDir(), "audit.zip")
	if err := demo.WriteZip(o, path); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var got bytes.Buffer
	var names []string
	for _, f := range zr.File {
		m := member.FindStringSubmatch(f.Name)
		if m == nil || f.Method != zip.Deflate {
			t.Fatalf("member %q (method %d)", f.Name, f.Method)
		}
		names = append(names, f.Name)
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range parse(t, data, false) {
			if r.t.Format("2006-01") != m[1] {
				t.Fatalf("%s holds a record of %s", f.Name, r.Timestamp)
			}
		}
		got.Write(data)
	}
	if len(names) < 4 || !slices.IsSorted(names) {
		t.Fatalf("members %v", names)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Fatal("zip members do not concatenate to Generate's output")
	}
}

// BenchmarkGenerate: 100,000 records to io.Discard per iteration.
func BenchmarkGenerate(b *testing.B) {
	const n = 100_000
	b.ReportAllocs()
	for b.Loop() {
		if err := demo.Generate(demo.Options{Events: n, Seed: 1}, io.Discard); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/record")
}
