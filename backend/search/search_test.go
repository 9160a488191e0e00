package search

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
)

func TestRawValues(t *testing.T) {
	got := rawValues([]byte(`{"user":"Alice \"A\" Smith","n":42,"nested":{"k":["x\ny",true,null,-1.5e3]},"esc":"a\u003cb"}`))
	for _, want := range []string{`Alice "A" Smith`, "42", "x y", "-1.5e3", "a b"} {
		if !strings.Contains(got, want) {
			t.Errorf("rawValues lacks %q: %q", want, got)
		}
	}
	for _, key := range []string{"user", "nested", "esc"} {
		if strings.Contains(got, key) {
			t.Errorf("rawValues holds the key %q: %q", key, got)
		}
	}
	if got := rawValues([]byte("type=USER_LOGIN acct=root")); got != "type=USER_LOGIN acct=root" {
		t.Errorf("a non-JSON record is its own text: %q", got)
	}
}

func openIndex(t *testing.T, evs ...*audit.Event) *Index {
	t.Helper()
	x, fresh, err := Open(filepath.Join(t.TempDir(), "index"))
	if err != nil || !fresh {
		t.Fatal(err, fresh)
	}
	t.Cleanup(func() { x.Close() })
	b := x.NewBatch()
	for _, ev := range evs {
		if err := b.Add(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(int64(len(evs)), true); err != nil {
		t.Fatal(err)
	}
	return x
}

func ev(id string, at string, action, actor string, raw string) *audit.Event {
	tm, _ := time.Parse(time.RFC3339, at)
	return &audit.Event{ID: id, Time: tm, Action: action, Category: "access", Outcome: "success",
		Actor:   audit.Actor{Name: actor, Email: strings.ToLower(strings.Fields(actor)[0]) + "@example.com"},
		Message: actor + " " + action, Raw: audit.RawRecord(raw)}
}

func ids(t *testing.T, x *Index, q audit.Query) []string {
	t.Helper()
	res, err := x.Search(q)
	if err != nil {
		t.Fatal(err)
	}
	return res.IDs
}

func TestQueries(t *testing.T) {
	x := openIndex(t,
		ev("a", "2026-01-01T00:00:00Z", "ConsoleLogin", "Alice Smith", `{"region":"eu-west-1","note":"first sign in"}`),
		ev("b", "2026-01-02T00:00:00Z", "escalation_policy.updated", "Bob Jones", `{"policy":"Payments primary"}`),
		ev("c", "2026-01-03T00:00:00Z", "ConsoleLogout", "Alice Smith", `{"region":"us-east-1"}`),
	)
	if x.Watermark() != 3 {
		t.Fatalf("watermark %d", x.Watermark())
	}
	cases := []struct {
		q    audit.Query
		want string
	}{
		{audit.Query{}, "c b a"},
		{audit.Query{Text: "action:consolelogin"}, "a"},
		{audit.Query{Text: "action:Console*"}, "c a"},
		{audit.Query{Text: "actor.name:alice"}, "c a"},
		{audit.Query{Text: "actor.email:bob@example.com"}, "b"},
		{audit.Query{Text: `"payments primary"`}, "b"},
		{audit.Query{Text: "eu-west-1"}, "a"},
		{audit.Query{Text: `+actor.name:alice -action:consolelogout`}, "a"},
		{audit.Query{From: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "c b"},
		{audit.Query{To: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "a"},
		{audit.Query{Text: "actor.name:alice", From: time.Date(2026, 1, 2, 0, 0, 0, 0, time.UTC)}, "c"},
	}
	for _, c := range cases {
		if got := strings.Join(ids(t, x, c.q), " "); got != c.want {
			t.Errorf("%+v: got %q, want %q", c.q, got, c.want)
		}
	}
}

// A quoted value of a keyword field is one exact term, also in an index
// opened again (not just created).
func TestQuotedKeywordValueAfterReopen(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "index")
	x, _, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	b := x.NewBatch()
	b.Add(ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{}`))
	if err := b.Commit(1, true); err != nil {
		t.Fatal(err)
	}
	x.Close()
	x, fresh, err := Open(dir)
	if err != nil || fresh {
		t.Fatal(err, fresh)
	}
	defer x.Close()
	if got := ids(t, x, audit.Query{Text: `+actor.label:"alice@example.com"`}); len(got) != 1 {
		t.Fatalf("quoted keyword value: %v", got)
	}
	if got := ids(t, x, audit.Query{Text: `actor.name:"alice smith"`}); len(got) != 1 {
		t.Fatalf("phrase on a text field: %v", got)
	}
}
