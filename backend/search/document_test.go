package search

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// asMap is the event as Batch.Add gave it to Bleve's MapDocument before it
// built documents itself: the reference the built documents are held to.
func asMap(ev *audit.Event) map[string]any {
	nonEmpty := func(m map[string]any) map[string]any {
		for k, v := range m {
			if s, ok := v.(string); ok && s == "" {
				delete(m, k)
			}
		}
		return m
	}
	targets := make([]map[string]any, 0, len(ev.Targets))
	for _, t := range ev.Targets {
		targets = append(targets, nonEmpty(map[string]any{"type": t.Type, "id": t.ID, "name": t.Name}))
	}
	doc := nonEmpty(map[string]any{
		"format": ev.Format, "category": ev.Category, "action": ev.Action, "outcome": ev.Outcome,
		"ip": ev.IP, "user_agent": ev.UserAgent, "session": ev.Session, "request": ev.Request,
		"message": ev.Message, "source": ev.Source.Name,
	})
	doc["actor"] = nonEmpty(map[string]any{"id": ev.Actor.ID, "name": ev.Actor.Name, "email": ev.Actor.Email,
		"type": ev.Actor.Type, "label": ev.Actor.Label()})
	doc["targets"] = targets
	if len(ev.Tags) > 0 {
		doc["tag"] = ev.Tags
	}
	return doc
}

// fieldsOf lists a document's fields, each as everything that decides what
// the index holds of it, sorted (MapDocument walks a map in random order),
// but the free text's two fields and the stored fields' values, which
// MapDocument never built: TestFreeTextSplit and
// TestFreeTextFieldsAsOneField hold the first, storedValues the second.
func fieldsOf(d *document.Document) []string {
	var out []string
	d.VisitFields(func(f index.Field) {
		switch f.(type) {
		case *freeField, *storedField:
			return
		}
		tf, ok := f.(*document.TextField)
		if !ok {
			out = append(out, fmt.Sprintf("%T %s", f, f.Name()))
			return
		}
		// The analyzer itself, not its name: the same instance analyses alike.
		out = append(out, fmt.Sprintf("%s %v %q %d %p", f.Name(), f.ArrayPositions(), f.Value(), f.Options(), tf.Analyzer()))
	})
	slices.Sort(out)
	return out
}

// storedValues are the values d stores of a stored field.
func storedValues(d *document.Document, field string) []string {
	var out []string
	d.VisitFields(func(f index.Field) {
		if s, ok := f.(*storedField); ok && s.name == field {
			out = append(out, string(s.value))
		}
	})
	return out
}

// Batch.Add builds each document as MapDocument built it from the event as
// a map: the same fields, positions in arrays, values, options and
// analyzers, over the corpus, the demo and events with empty and odd
// values; with the mapping a new index is made with and the one an index
// reads back when it is opened again.
func TestDocumentsAsMapDocumentBuildsThem(t *testing.T) {
	evs := corpusAndDemo(t)
	odd := ev("odd", "2026-01-02T10:00:00Z", "", "Ünïcode Name", `{"a":"","b":["x","X"],"c":{"d":1e3}}`)
	odd.Targets = []audit.Target{{Type: "USER"}, {}, {ID: "t1", Name: "Twice"}, {Name: "Twice"}}
	odd.Tags = []string{"suspicious", "", "Reviewed"}
	odd.Actor = audit.Actor{ID: "u1"}
	odd.Source.Name = "exports/okta.json"
	odd.Request = "REQ-Ünïcode-ΣΑΣ İ"
	bare := &audit.Event{ID: "bare", Raw: audit.RawRecord("not json at all")}
	evs = append(evs, odd, bare)

	dir := filepath.Join(t.TempDir(), "index")
	x, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	x.Close()
	reopened, fresh, err := Open(dir, Options{})
	if err != nil || fresh {
		t.Fatal(err, fresh)
	}
	defer reopened.Close()
	made, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	for name, m := range map[string]mapping.IndexMapping{"new": made, "read back": reopened.idx.Mapping()} {
		f, err := newDocFields(m)
		if err != nil {
			t.Fatalf("%s mapping: %v", name, err)
		}
		fieldsSeen := map[string]bool{}
		for i, e := range evs {
			// every other event's user agent shared, as number 7
			// (shared.go)
			fields := asMap(e)
			var share func(field, value string) string
			if _, ok := fields["user_agent"]; ok && i%2 == 0 {
				share = func(string, string) string { return "7" }
				delete(fields, "user_agent")
				fields["user_agent_value"] = "7"
			}
			want := document.NewDocument(e.ID)
			if err := m.MapDocument(want, fields); err != nil {
				t.Fatal(err)
			}
			got := f.document(e.ID, e, share)
			w, g := fieldsOf(want), fieldsOf(got)
			if !slices.Equal(w, g) {
				t.Fatalf("%s mapping, event %s:\nMapDocument %s\nbuilt       %s", name, e.ID, strings.Join(w, "\n            "), strings.Join(g, "\n            "))
			}
			got.VisitFields(func(f index.Field) { fieldsSeen[f.Name()] = true })
			// The stored value of each stored field is its term.
			for field := range storedFields {
				var terms []string
				want.VisitFields(func(f index.Field) {
					if f.Name() == field {
						f.Analyze()
						for term := range f.AnalyzedTokenFrequencies() {
							terms = append(terms, term)
						}
					}
				})
				if stored := storedValues(got, field); !slices.Equal(stored, terms) {
					t.Fatalf("%s mapping, event %s: %s stored %q, its terms %q", name, e.ID, field, stored, terms)
				}
			}
		}
		// Every mapped path was exercised.
		for path := range f {
			if !fieldsSeen[path] {
				t.Errorf("%s mapping: no event had a %s field", name, path)
			}
		}
	}
}

// A mapping Add cannot follow as MapDocument would is refused (Open then
// rebuilds the index with this version's mapping).
func TestDocFieldsRefuseOtherMappings(t *testing.T) {
	if _, err := newDocFields(bleve.NewIndexMapping()); err == nil {
		t.Fatal("a dynamic mapping with _all was accepted")
	}
	m, _ := newMapping()
	m.(*mapping.IndexMappingImpl).DefaultMapping.Properties["time"] = &mapping.DocumentMapping{
		Enabled: true, Fields: []*mapping.FieldMapping{bleve.NewDateTimeFieldMapping()}}
	if _, err := newDocFields(m); err == nil || !strings.Contains(err.Error(), "datetime") {
		t.Fatalf("a datetime field: %v", err)
	}
	m, _ = newMapping() // (mapping 15's, without "word")
	delete(m.(*mapping.IndexMappingImpl).DefaultMapping.Properties, wordFieldName)
	if _, err := newDocFields(m); err == nil || !strings.Contains(err.Error(), wordFieldName) {
		t.Fatalf("a mapping without word: %v", err)
	}
}

// How long building and analysing an event's document takes, as Add does
// and through MapDocument and Bleve's TextField as before
// (go test ./backend/search -run XXX -bench Documents -benchmem).
func BenchmarkDocuments(b *testing.B) {
	evs := corpusAndDemo(b)
	m, err := newMapping()
	if err != nil {
		b.Fatal(err)
	}
	f, err := newDocFields(m)
	if err != nil {
		b.Fatal(err)
	}
	analyze := func(d *document.Document) { d.VisitFields(func(f index.Field) { f.Analyze() }) }
	b.Run("built", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e := evs[i%len(evs)]
			analyze(f.document(DocKey(int64(i)), e, nil))
		}
	})
	b.Run("MapDocument", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			e := evs[i%len(evs)]
			d := document.NewDocument(e.ID)
			m.MapDocument(d, asMap(e))
			analyze(d)
		}
	})
}

// A text field's postings keep positions but no frequency and norm (a
// Bleve term field reader reads 0 for the frequency), so that a phrase
// still matches; a keyword keeps its frequency of 1 (zap then writes a
// term of one document in the dictionary alone).
func TestTextFieldsKeepPositionsNotFrequencies(t *testing.T) {
	e := ev("e1", "2026-01-02T10:00:00Z", "policy.updated", "Alice Smith", `{"note":"escalation policy escalation"}`)
	e.Request = "req_1"
	x := openIndex(t, e)
	r, err := x.idx.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	rd, err := r.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	read := func(field, term string) *index.TermFieldDoc {
		t.Helper()
		tfr, err := rd.TermFieldReader(t.Context(), []byte(term), field, true, true, true)
		if err != nil {
			t.Fatal(err)
		}
		defer tfr.Close()
		d, err := tfr.Next(nil)
		if err != nil || d == nil {
			t.Fatalf("%s:%s: %v %v", field, term, d, err)
		}
		return d
	}
	if d := read("text", "escalation"); d.Freq != 0 || len(d.Vectors) != 2 || d.Vectors[1].Pos-d.Vectors[0].Pos != 2 {
		t.Errorf("text:escalation: frequency %d, positions %v", d.Freq, d.Vectors)
	}
	if d := read("message", "alice"); d.Freq != 0 || len(d.Vectors) != 1 {
		t.Errorf("message:alice: frequency %d, %d positions", d.Freq, len(d.Vectors))
	}
	if d := read("request", "req_1"); d.Freq != 1 {
		t.Errorf("request:req_1: frequency %d", d.Freq)
	}
	hits, err := x.Search(audit.Query{Text: `"policy escalation"`, Limit: 10})
	if err != nil || hits.Total != 1 {
		t.Errorf(`"policy escalation": %v %v`, hits, err)
	}
}
