package store

import (
	"path/filepath"
	"testing"
	"time"

	"auditlens/backend/audit"
)

func open(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestMigrationsOnceAndEventsDeduped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := &audit.Source{Path: "/evidence/a.json", ImporterVersion: "1"}
	if err := s.CreateSource(src); err != nil || src.ID == 0 {
		t.Fatal(err, src.ID)
	}
	ev := &audit.Event{ID: "abc", Time: time.Date(2026, 1, 2, 3, 4, 5, 6, time.UTC), Format: "generic", Source: audit.SourceRef{ID: src.ID},
		Category: "access", Action: "Login", Outcome: "success", Actor: audit.Actor{Name: "Alice", Email: "alice@x.io"},
		Changes: []audit.Change{{Path: "n", Before: nil, After: "1"}}, Raw: audit.RawRecord(`{"a":1}`)}
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	seq1, err := b.Insert(ev)
	seq2, err2 := b.Insert(ev)
	if err != nil || err2 != nil || seq1 == 0 || seq2 != 0 {
		t.Fatalf("first insert seq %d (%v), second %d (%v): want a seq, then 0 for the duplicate", seq1, err, seq2, err2)
	}
	if err := b.RememberDisplay("action", "Login"); err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	src.Events, src.SHA256, src.Errors = 1, "00ff", []audit.RecordError{{Line: 3, Message: "bad"}}
	if err := s.FinishSource(src); err != nil {
		t.Fatal(err)
	}
	s.Close()

	// Reopening runs no migration twice and finds everything as stored.
	s = open(t, path)
	defer s.Close()
	got, err := s.Event("abc")
	if err != nil || !got.Time.Equal(ev.Time) || got.Actor.Email != "alice@x.io" || string(got.Raw) != `{"a":1}` ||
		got.Source.Name != "/evidence/a.json" || len(got.Changes) != 1 || got.Changes[0].After != "1" {
		t.Fatalf("event read back: %+v %v", got, err)
	}
	srcs, _ := s.Sources()
	if len(srcs) != 1 || srcs[0].Events != 1 || srcs[0].Errors[0].Line != 3 || srcs[0].Failed != "" {
		t.Fatalf("sources: %+v", srcs)
	}
	names, _ := s.Display("action", []string{"login", "other"})
	if names["login"] != "Login" || names["other"] != "other" {
		t.Fatalf("display values: %v", names)
	}
	if _, err := s.Event("nope"); audit.ErrorCode(err) != audit.ENOTFOUND {
		t.Fatalf("missing event: %v", err)
	}
}

// A source whose import never finished says so.
func TestUnfinishedSource(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	s.CreateSource(&audit.Source{Path: "/x"})
	srcs, _ := s.Sources()
	if srcs[0].Failed != "import did not finish" {
		t.Fatalf("%+v", srcs[0])
	}
}
