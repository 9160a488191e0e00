package store

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// TermIDs and ValueIDs keep the events whose value of a field a match
// accepts, from the columns: read when first asked, with terms stored
// after the test was made (an import going on), in 16-bit ids and in 32;
// an event with no value of the field, or one the database lacks, is never
// kept.
func TestValuesTestEventsByTheirValue(t *testing.T) {
	narrowAndWidened(t, valuesTestEventsByTheirValue)
}

func valuesTestEventsByTheirValue(t *testing.T, wide bool) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/c.json")
	base := time.Date(2026, 3, 1, 10, 30, 0, 0, time.UTC)
	at := func(i int) time.Time { return base.Add(time.Duration(i) * time.Minute) }
	outcome := func(i int) string {
		if i >= 40 && i%2 == 0 {
			return "Partial" // (a term stored after the tests below were made)
		}
		return []string{"success", "failure"}[i%2]
	}
	insertTestEvents(t, s, src.ID, 0, 40, at, outcome)
	type test struct {
		has    func(uint32) bool
		failed func() error
	}
	valueIDs := func(field string, match func(string) bool) test {
		t.Helper()
		has, failed, err := s.ValueIDs(field, match)
		if err != nil {
			t.Fatal(err)
		}
		return test{has, failed}
	}
	kept := func(field string, v test, seqs []int64) []int64 {
		t.Helper()
		ids := make([]uint32, len(seqs))
		for i := range ids {
			ids[i] = uint32(i%8 + 1) // (ids of some values: each is set)
		}
		if err := s.TermIDs(field, seqs, ids); err != nil {
			t.Fatal(err)
		}
		var out []int64
		for i, id := range ids {
			if v.has(id) {
				out = append(out, seqs[i])
			}
		}
		if err := v.failed(); err != nil {
			t.Fatal(err)
		}
		return out
	}
	var seen []string
	partial := valueIDs("outcome", func(v string) bool { seen = append(seen, v); return v == "partial" })
	acts := valueIDs("action", func(v string) bool { return strings.HasPrefix(v, "act1") || v == "act3" })
	anyIP := valueIDs("ip", func(string) bool { return true })
	if s.ColumnsRead() {
		t.Fatal("the columns were read before a test was asked")
	}
	all := func(n int) (seqs []int64) {
		for seq := int64(n); seq >= 0; seq-- { // (any order; 0 and seqs past the last are no events)
			seqs = append(seqs, seq)
		}
		return seqs
	}
	if got := kept("outcome", partial, all(45)); len(got) != 0 {
		t.Fatalf("partial before any: %v", got)
	}
	insertTestEvents(t, s, src.ID, 40, 80, at, outcome)
	var want []int64
	for i := 40; i < 80; i += 2 {
		want = append(want, int64(i+1))
	}
	got := kept("outcome", partial, all(90))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("partial: %v, want %v", got, want)
	}
	if slices.Contains(seen, "") || !slices.Contains(seen, "partial") || !slices.Contains(seen, "failure") {
		t.Fatalf("the values tried: %v", seen)
	}
	want = want[:0]
	for i := 0; i < 80; i++ {
		if a := i % 7; a == 1 || a == 3 {
			want = append(want, int64(i+1))
		}
	}
	got = kept("action", acts, all(80))
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Fatalf("actions: %v, want %v", got, want)
	}
	for _, seq := range kept("ip", anyIP, all(80)) {
		if (seq-1)%3 == 0 {
			t.Fatalf("event %d has no ip, and was kept", seq)
		}
	}
	if n := len(kept("ip", anyIP, all(80))); n != 53 {
		t.Fatalf("%d events with an ip", n)
	}
	if _, _, err := s.ValueIDs("session", func(string) bool { return true }); err == nil {
		t.Fatal("a field the database does not keep")
	}
	if err := s.TermIDs("session", all(3), make([]uint32, 4)); err == nil {
		t.Fatal("a field the database does not keep")
	}
	ids := []uint32{7, 7, 7, 7}
	if err := s.TermIDs("ip", []int64{0, 2, 1000, 1}, ids); err != nil || ids[0] != 0 || ids[1] == 0 || ids[2] != 0 || ids[3] != 0 {
		t.Fatalf("ids of no event, an ip, an event not stored, no ip: %v %v", ids, err)
	}
	if wide != (s.columns.wide != nil) {
		t.Fatalf("ids in 32 bits: %v", s.columns.wide != nil)
	}
}
