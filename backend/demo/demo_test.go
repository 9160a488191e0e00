package demo_test

import (
	"archive/zip"
	"bytes"
	"encoding/json"
	"io"
	"net/url"
	"path/filepath"
	"reflect"
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

// TestUpdatesChain: per resource, the before of each change equals the after
// of the previous change; creations have no before, deletions no after.
func TestUpdatesChain(t *testing.T) {
	recs := parse(t, generate(t, demo.Options{Events: 40000, Seed: 9}), false)
	last := map[string]any{}
	checked := 0
	decode := func(raw json.RawMessage) any {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, r := range recs {
		if r.Result != "SUCCESS" {
			if r.hasBefore() || r.hasAfter() {
				t.Fatalf("record %d: failure with states", i)
			}
			continue
		}
		key := r.Resource.Type + "/" + r.Resource.ID
		verb := r.Action[strings.IndexByte(r.Action, '.')+1:]
		switch {
		case r.Action == "user.login" || r.Action == "user.logout":
			if r.hasBefore() || r.hasAfter() || r.Resource.ID != r.Actor.ID {
				t.Fatalf("record %d: %s must be about the actor, without states", i, r.Action)
			}
			continue
		case verb == "created":
			if r.hasBefore() || !r.hasAfter() {
				t.Fatalf("record %d: %s needs after only", i, r.Action)
			}
			if _, ok := last[key]; ok {
				t.Fatalf("record %d: %s created twice", i, key)
			}
		case verb == "deleted" || verb == "revoked":
			if !r.hasBefore() || r.hasAfter() {
				t.Fatalf("record %d: %s needs before only", i, r.Action)
			}
		default:
			if !r.hasBefore() || !r.hasAfter() {
				t.Fatalf("record %d: %s needs before and after", i, r.Action)
			}
		}
		if r.hasBefore() {
			prev, ok := last[key]
			switch {
			case ok:
				if !reflect.DeepEqual(prev, decode(r.Before)) {
					t.Fatalf("record %d: %s %s: before does not match the previous after\nprev:   %v\nbefore: %s", i, r.Action, key, prev, r.Before)
				}
				checked++
			case r.Resource.Type != "STATUS_PAGE": // the page exists from the start
				t.Fatalf("record %d: %s %s changed before it was created", i, r.Action, key)
			}
		}
		if r.hasAfter() {
			last[key] = decode(r.After)
		} else {
			delete(last, key)
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d chained changes checked", checked)
	}
}

// TestSessions: a session starts with its owner's login and stays with one
// user, address and browser.
func TestSessions(t *testing.T) {
	recs := parse(t, generate(t, demo.Options{Events: 30000, Seed: 5}), false)
	type sess struct{ user, ip, ua string }
	seen := map[string]sess{}
	for i, r := range recs {
		if r.SessionID == "" {
			continue
		}
		s, ok := seen[r.SessionID]
		if !ok {
			if r.Action != "user.login" {
				t.Fatalf("record %d: session %s starts with %s, not a login", i, r.SessionID, r.Action)
			}
			seen[r.SessionID] = sess{r.Actor.ID, r.Client.IP, r.Client.UserAgent}
			continue
		}
		if s != (sess{r.Actor.ID, r.Client.IP, r.Client.UserAgent}) {
			t.Fatalf("record %d: session %s changed hands", i, r.SessionID)
		}
		if r.Action == "user.login" {
			t.Fatalf("record %d: second login in session %s", i, r.SessionID)
		}
	}
	if len(seen) < 500 {
		t.Fatalf("only %d sessions", len(seen))
	}
}

func category(action string) string {
	switch {
	case strings.HasPrefix(action, "alert."):
		return "alert"
	case action == "user.login" || action == "user.login_failed":
		return "login"
	case strings.HasPrefix(action, "user.") || strings.HasPrefix(action, "team."):
		return "people"
	case strings.HasPrefix(action, "webhook.") || strings.HasPrefix(action, "api_key."):
		return "integration"
	default:
		return "config"
	}
}

func TestMix(t *testing.T) {
	recs := parse(t, generate(t, demo.Options{Events: 60000, Seed: 11}), false)
	share := map[string]float64{}
	actions := map[string]int{}
	for _, r := range recs {
		share[category(r.Action)] += 1 / float64(len(recs))
		actions[r.Action]++
	}
	t.Logf("shares: %v", share)
	if share["alert"] < 0.5 || share["alert"] > 0.7 {
		t.Errorf("alerts are %.1f%%, want the majority (~60%%)", 100*share["alert"])
	}
	if share["login"] < 0.10 || share["login"] > 0.22 {
		t.Errorf("logins are %.1f%%, want ~15%%", 100*share["login"])
	}
	if share["config"] < 0.10 || share["config"] > 0.20 {
		t.Errorf("configuration is %.1f%%, want ~15%%", 100*share["config"])
	}
	if share["people"]+share["integration"] < 0.05 {
		t.Errorf("user management and integrations are %.1f%%", 100*(share["people"]+share["integration"]))
	}
	failed := float64(actions["user.login_failed"]) / float64(actions["user.login_failed"]+actions["user.login"])
	if failed < 0.01 || failed > 0.08 {
		t.Errorf("%.1f%% of logins fail, want a few percent", 100*failed)
	}
	for _, a := range []string{
		"user.login", "user.login_failed", "user.logout", "user.mfa_enabled", "user.mfa_disabled", "user.created", "user.updated",
		"user.role_changed", "user.deleted", "team.created", "team.updated", "alert_source.created", "alert_source.updated",
		"alert_source.deleted", "escalation_policy.created", "escalation_policy.updated", "escalation_policy.deleted",
		"schedule.created", "schedule.updated", "service.created", "service.updated", "status_page.updated", "webhook.created",
		"webhook.updated", "webhook.deleted", "api_key.created", "api_key.revoked", "alert.created", "alert.acknowledged",
		"alert.escalated", "alert.resolved", "alert.commented",
	} {
		if actions[a] == 0 {
			t.Errorf("no %s record", a)
		}
	}
	// Activity follows office hours: most records fall on weekdays 08-19
	// local time (+01:00).
	work := 0
	for _, r := range recs {
		l := r.t.Add(time.Hour)
		if wd := l.Weekday(); wd != time.Saturday && wd != time.Sunday && l.Hour() >= 8 && l.Hour() < 19 {
			work++
		}
	}
	if f := float64(work) / float64(len(recs)); f < 0.6 {
		t.Errorf("only %.0f%% of the records in working hours", 100*f)
	}
}

// TestEpisode looks for the planted attack the way an investigator would.
func TestEpisode(t *testing.T) {
	for _, o := range []demo.Options{{Events: 200, Seed: 1}, {Events: 200, Seed: 2, Days: 30}, {Events: 60000, Seed: 3}} {
		recs := parse(t, generate(t, o), false)
		end, days := defaultEnd, o.Days
		if days == 0 {
			days = 180
		}
		thirdStart := end.Add(-time.Duration(days) * 24 * time.Hour / 3)
		found := 0
		for i, r := range recs {
			if r.Action != "user.login" || !strings.HasPrefix(r.Client.IP, "185.220.101.") {
				continue
			}
			if h := r.t.Add(time.Hour).Hour(); h < 2 || h > 4 {
				t.Errorf("suspicious login at %s, not at night", r.t)
			}
			if r.t.Before(thirdStart) {
				t.Errorf("suspicious login at %s, not in the last third", r.t)
			}
			// The address is new: before the login only the same user's
			// failed attempts of the last minutes came from it.
			for j := range i {
				if recs[j].Client.IP == r.Client.IP && (recs[j].Action != "user.login_failed" || recs[j].Actor.ID != r.Actor.ID || r.t.Sub(recs[j].t) > 10*time.Minute) {
					t.Errorf("address %s seen before the episode: %+v", r.Client.IP, recs[j])
				}
			}
			var steps []string
			for _, s := range recs[i+1:] {
				if s.SessionID != r.SessionID {
					continue
				}
				if s.Actor.ID != r.Actor.ID || s.Client.IP != r.Client.IP {
					t.Errorf("session %s changed hands", r.SessionID)
				}
				var after map[string]any
				json.Unmarshal(s.After, &after)
				switch s.Action {
				case "user.role_changed":
					var before map[string]any
					json.Unmarshal(s.Before, &before)
					if s.Resource.ID == r.Actor.ID && after["role"] == "ADMIN" && (before["role"] == "USER" || before["role"] == "RESPONDER") {
						steps = append(steps, "role")
					}
				case "api_key.created":
					if scopes, _ := after["scopes"].([]any); slices.Contains(scopes, any("admin")) {
						steps = append(steps, "key")
					}
				case "webhook.updated":
					if u, err := url.Parse(after["url"].(string)); err == nil && !strings.HasSuffix(u.Hostname(), "acme.io") {
						steps = append(steps, "webhook")
					}
				}
				if s.t.Sub(r.t) > time.Hour {
					t.Errorf("episode step %s %s after the login", s.Action, s.t.Sub(r.t))
				}
			}
			if !slices.Equal(steps, []string{"role", "key", "webhook"}) {
				t.Errorf("%+v: episode at %s has steps %v", o, r.t, steps)
			}
			found++
		}
		if found == 0 {
			t.Errorf("%+v: no episode", o)
		}
		if want := max(1, (o.Events+10000)/20000); found != want {
			t.Errorf("%+v: %d episodes, want %d", o, found, want)
		}
	}
	// Legitimate webhooks never leave acme.io.
	for _, r := range parse(t, generate(t, demo.Options{Events: 20000, Seed: 8}), false) {
		if strings.HasPrefix(r.Action, "webhook.") && r.hasAfter() && !strings.HasPrefix(r.Client.IP, "185.220.") {
			var after struct{ URL string }
			json.Unmarshal(r.After, &after)
			if u, _ := url.Parse(after.URL); !strings.HasSuffix(u.Hostname(), "acme.io") && after.URL != "https://exfil.example.net/hook" {
				t.Errorf("legitimate webhook to %s", after.URL)
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
