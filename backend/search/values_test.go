package search

import (
	"bytes"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
	"auditlens/backend/ingest"
)

// rawValues is the free text's part from a raw record: its string and
// number values, each distinct value once, each ended by valueSep.
func rawValues(raw []byte) string {
	var v textValues
	eachRawValue(raw, &v)
	return string(v.b)
}

// everyValue is the free text as mapping 8 indexed it: every value, repeats
// included, joined by spaces. The free text of distinct values must hold
// the same words.
func everyValue(ev *audit.Event) string {
	vals := []string{ev.Message, ev.Actor.Name, ev.Actor.Email, ev.Actor.ID, ev.Action, ev.IP, ev.UserAgent}
	for _, t := range ev.Targets {
		vals = append(vals, t.Name, t.ID)
	}
	return strings.Join(vals, " ") + " " + strings.ReplaceAll(rawValues(ev.Raw), string(valueSep), " ")
}

type collect struct{ evs []*audit.Event }

func (c *collect) BeginSource(*audit.Source) error { return nil }
func (c *collect) EndSource(*audit.Source) error   { return nil }
func (c *collect) Event(_ *audit.Source, ev *audit.Event) error {
	c.evs = append(c.evs, ev)
	return nil
}

// corpusAndDemo is every event of the corpus and 3,000 demo events, mapped.
func corpusAndDemo(t testing.TB) []*audit.Event {
	t.Helper()
	var buf bytes.Buffer
	if err := demo.Generate(demo.Options{Events: 3000, Seed: 7}, &buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "demo.ndjson")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{p}
	corpus, _ := filepath.Abs("../../../shared/corpus")
	if dirs, _ := filepath.Glob(filepath.Join(corpus, "*")); len(dirs) > 0 {
		paths = append(paths, dirs...)
	} else {
		t.Logf("no corpus at %s: demo events only", corpus)
	}
	c := &collect{}
	ingest.Import(paths, ingest.Options{}, c)
	if len(c.evs) < 3000 {
		t.Fatalf("%d events", len(c.evs))
	}
	return c.evs
}

func terms(ts analysis.TokenStream) map[string]bool {
	m := map[string]bool{}
	for _, tk := range ts {
		m[string(tk.Term)] = true
	}
	return m
}

// The free text's fields (textFields) keep each value once and every word
// of every value (and of the user agent, since mapping 13): a word query
// finds the same events as with every value. Over the corpus
// and demo events. The first 3,000 demo events (set-up, mostly) have a fifth
// fewer words to index; 100k of them, a third.
func TestFreeTextKeepsEveryWord(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	text, words := m.AnalyzerNamed(textAnalyzer), m.AnalyzerNamed(wordsAnalyzer)
	var now, before int
	for _, ev := range corpusAndDemo(t) {
		got := text.Analyze([]byte(freeText(ev)))
		for _, v := range append([]string{ev.Message, ev.Actor.Name, ev.UserAgent}, targetNames(ev)...) {
			got = append(got, words.Analyze([]byte(v))...)
		}
		want := words.Analyze([]byte(everyValue(ev)))
		if g, w := terms(got), terms(want); !maps.Equal(g, w) {
			t.Fatalf("%s (%s): the free text's terms\n %v\nare not every value's\n %v", ev.ID, ev.Format,
				slices.Sorted(maps.Keys(g)), slices.Sorted(maps.Keys(w)))
		}
		if ev.Format == "ilert.audit" {
			now, before = now+len(got), before+len(want)
		}
	}
	if now == 0 || float64(now) > 0.85*float64(before) {
		t.Errorf("demo events: %d words to index, %d with every value", now, before)
	}
}

func targetNames(ev *audit.Event) []string {
	var names []string
	for _, t := range ev.Targets {
		names = append(names, t.Name)
	}
	return names
}

func TestFreeTextValues(t *testing.T) {
	ev := &audit.Event{Message: "Ann changed Payments", Action: "policy.updated",
		Actor:   audit.Actor{Name: "Ann Lee", Email: "ann@example.com"},
		Targets: []audit.Target{{Name: "Payments", ID: "ep_1"}},
		Raw:     audit.RawRecord(`{"actor":"ANN LEE","action":"policy.updated","before":{"name":"payments"},"after":{"name":"Payments primary"},"n":1,"m":1,"e":""}`)}
	// The message and the names are fields of their own: the free text's
	// field holds no value that is one of theirs.
	want := strings.Join([]string{"ann@example.com", "policy.updated", "ep_1", "Payments primary", "1", ""}, string(valueSep))
	if got := freeText(ev); got != want {
		t.Errorf("free text\n got %q\nwant %q", got, want)
	}
	// Values are one when they differ in the case of ASCII letters only.
	ev = &audit.Event{Action: "Ärger", Raw: audit.RawRecord(`{"a":"ärger","b":"ÄRGER","c":"Ärger"}`)}
	if got, want := freeText(ev), "Ärger\x1eärger\x1e"; got != want {
		t.Errorf("free text %q, want %q", got, want)
	}
}

// The values tokenizer gives each value the words Bleve's tokenizer gives
// that value alone, their positions valueGap past the last word of the
// values before. For valid UTF-8 those are the words of the whole text with
// its separators read as spaces (Bleve's tokenizer may skip words after a
// broken UTF-8 sequence: a value's words do not depend on other values').
func sameValueTokens(t *testing.T, text []byte) {
	t.Helper()
	tok := unicode.NewUnicodeTokenizer()
	got := (&valuesTokenizer{&asciiTokenizer{unicode.NewUnicodeTokenizer()}}).Tokenize(text)
	var want analysis.TokenStream
	last := 0
	for _, v := range splitValues(text) {
		ts := tok.Tokenize(v.text)
		for _, tk := range ts {
			tk.Start, tk.End = tk.Start+v.start, tk.End+v.start
			if last > 0 {
				tk.Position += last + valueGap
			}
		}
		if len(ts) > 0 {
			last = ts[len(ts)-1].Position
		}
		want = append(want, ts...)
	}
	if show(got) != show(want) {
		t.Fatalf("%q:\n got %s\nwant %s", text, show(got), show(want))
	}
	if !utf8.Valid(text) {
		return
	}
	whole := tok.Tokenize(bytes.ReplaceAll(text, []byte{valueSep}, []byte(" ")))
	for _, tk := range whole {
		tk.Position = 0
	}
	for _, tk := range got {
		tk.Position = 0
	}
	if show(got) != show(whole) {
		t.Fatalf("%q:\n got %s\nwant %s", text, show(got), show(whole))
	}
}

type value struct {
	start int
	text  []byte
}

// splitValues is text cut at valueSep, each value with where it starts.
func splitValues(text []byte) []value {
	var vs []value
	start := 0
	for i, c := range text {
		if c == valueSep {
			vs = append(vs, value{start, text[start:i]})
			start = i + 1
		}
	}
	return append(vs, value{start, text[start:]})
}

func TestValuesTokenizer(t *testing.T) {
	for _, s := range []string{"", "\x1e", "\x1e\x1e", "a\x1e", "\x1ea", "a\x1eb", "a b\x1e\x1ec d\x1e", "a.\x1e.b", "1\x1e,2",
		"café\x1eau lait", "x\x1eé", "don't\x1ex\x1e"} {
		sameValueTokens(t, []byte(s))
	}
	for _, ev := range corpusAndDemo(t) {
		sameValueTokens(t, []byte(freeText(ev)))
	}
}

// FuzzValuesTokenizer: any text, the words of Bleve's tokenizer, a value's
// positions valueGap past the one before.
func FuzzValuesTokenizer(f *testing.F) {
	for _, s := range []string{"a\x1eb", "1.\x1e2", "x \x1e\x1e y", "é\x1ea"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameValueTokens(t, b) })
}

// A phrase matches inside one value of the free text, the value kept once
// whatever its case, and never across the end of one value and the start
// of the next: not even with stop words between.
func TestPhrasesWithinOneValue(t *testing.T) {
	x := openIndex(t,
		ev("e1", "2026-01-02T10:00:00Z", "policy.updated", "Ann Lee", `{"a":"escalation policy","b":"Payments Primary","c":"PAYMENTS PRIMARY"}`),
		ev("e2", "2026-01-02T11:00:00Z", "policy.updated", "Bob Roe", `{"a":"payments","b":"primary"}`),
		ev("e3", "2026-01-02T12:00:00Z", "policy.updated", "Cy Dee", `{"a":"payments of","b":"the primary"}`))
	for q, want := range map[string]string{
		`"payments primary"`:             "e1",
		`payments primary`:               "e3 e2 e1",
		`+payments +primary`:             "e3 e2 e1",
		`"escalation policy"`:            "e1",
		`"policy payments"`:              "",
		`"payments of the primary"`:      "",
		`"policy.updated ann"`:           "",
		`"ann lee"`:                      "e1",
		`+"PAYMENTS PRIMARY" -"bob roe"`: "e1",
	} {
		if got := strings.Join(ids(t, x, audit.Query{Text: q}), " "); got != want {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
}

// Past hashFrom values the kept ones are found by hash, with the same
// answer: each value once, the first spelling, in order.
func TestFreeTextManyValues(t *testing.T) {
	var rec, want strings.Builder
	rec.WriteString(`{"a":[`)
	for i := range 300 {
		fmt.Fprintf(&rec, `"Value%d",`, i)
		fmt.Fprintf(&want, "Value%d\x1e", i)
	}
	for i := range 300 {
		fmt.Fprintf(&rec, `"VALUE%d","value%d",`, i, 299-i)
	}
	rec.WriteString(`"Välue1","VÄlue1","väLUE1"]}`) // ä and Ä are kept apart
	want.WriteString("Välue1\x1eVÄlue1\x1e")
	if got := rawValues([]byte(rec.String())); got != want.String() {
		t.Errorf("got %q\nwant %q", got, want.String())
	}
}

// BenchmarkRawValuesMany: a hostile record of 100,000 distinct values.
// go test ./backend/search -run XXX -bench RawValuesMany
func BenchmarkRawValuesMany(b *testing.B) {
	var rec strings.Builder
	rec.WriteString(`{"a":[`)
	for i := range 100000 {
		fmt.Fprintf(&rec, `%d,`, 1000000+i)
	}
	rec.WriteString(`0]}`)
	raw := []byte(rec.String())
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		rawValues(raw)
	}
}
