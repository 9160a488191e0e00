package search

import (
	"bufio"
	"bytes"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/analysis/analyzer/standard"
	"github.com/blevesearch/bleve/v2/analysis/tokenizer/unicode"
	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
)

// sameTokens fails unless the ASCII tokenizer and Bleve's unicode tokenizer
// cut text into the same tokens: term, offsets, position and type.
func sameTokens(t *testing.T, text []byte) {
	t.Helper()
	want := unicode.NewUnicodeTokenizer().Tokenize(text)
	got := (&asciiTokenizer{unicode.NewUnicodeTokenizer()}).Tokenize(text)
	if show(got) != show(want) {
		t.Fatalf("%q:\n got %s\nwant %s", text, show(got), show(want))
	}
}

func show(ts analysis.TokenStream) string {
	var b strings.Builder
	for _, tk := range ts {
		fmt.Fprintf(&b, "%q@%d[%d:%d]/%d ", tk.Term, tk.Position, tk.Start, tk.End, tk.Type)
	}
	return b.String()
}

// Every rule of the ASCII fast path, each beside the input that would break
// it, and the real records of every vendor in the corpus (their raw values,
// as the index gets them, and whole, punctuation included).
func TestASCIITokenizerAsUnicode(t *testing.T) {
	for _, s := range []string{"", " ", "a", "_", "__", "_a_", "_1_", "1_a", "a_1", "a.b", "a..b", "a.b.", ".a.b", "a.1", "1.a",
		"1.2", "1.2.3", "1,2", "a,b", "1;2", "a;b", "a:b", "1:2", "a'b", "1'2", "a_.b", "a._b", "1_.2", "a'", "'a",
		"don't", "quentin.weber@acme.io", "2026-05-05T08:02:11.389Z", "evt_ea9cb70a77eb6cc3", "198.51.100.12",
		"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0)", "+49 155 7013430", "a\r\nb\vc\fd", "x\x00y\x7fz",
		"[FIRING:1] memory pressure on k8s-node-11", "ab12cd.34ef", "1.2a.b", "a.b1.2", "Ünïcode falls back: café"} {
		sameTokens(t, []byte(s))
	}
	corpus, _ := filepath.Abs("../../../shared/corpus")
	files, _ := filepath.Glob(filepath.Join(corpus, "*", "*"))
	if len(files) == 0 {
		t.Logf("no corpus at %s: its records are not compared", corpus)
	}
	for _, p := range files {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<24)
		for sc.Scan() {
			sameTokens(t, sc.Bytes())
			sameTokens(t, []byte(rawValues(sc.Bytes())))
		}
		f.Close()
	}
	// Random text over the bytes the rules name, and a few others.
	r := rand.New(rand.NewSource(1))
	alphabet := []byte("aZ09_.',;:\"- @/\r\n\v\t")
	for i := 0; i < 20000; i++ {
		b := make([]byte, r.Intn(24))
		for j := range b {
			b[j] = alphabet[r.Intn(len(alphabet))]
		}
		sameTokens(t, b)
	}
}

// FuzzASCIITokenizer: any text, the same tokens as Bleve's own tokenizer.
func FuzzASCIITokenizer(f *testing.F) {
	for _, s := range []string{"a.b", "1,2;3", "x_y:z", "don't 1'2", "café", "a\r\nb"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { sameTokens(t, b) })
}

// The mapping's words analyzer gives the terms of Bleve's standard one.
func TestWordsAnalyzerAsStandard(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	words, text, std := m.AnalyzerNamed(wordsAnalyzer), m.AnalyzerNamed(textAnalyzer), m.AnalyzerNamed(standard.Name)
	if words == nil || text == nil || std == nil || m.AnalyzerNameForPath("message") != wordsAnalyzer ||
		m.AnalyzerNameForPath("text") != textAnalyzer {
		t.Fatalf("analyzers: %v %v %v, message uses %q, text %q", words, text, std,
			m.AnalyzerNameForPath("message"), m.AnalyzerNameForPath("text"))
	}
	for _, s := range []string{"The Payments primary escalation policy WAS changed by Quentin.Weber@ACME.io at 08:02",
		"Ünïcode: Café AND the naïve résumé", "a an and are as at be but by for if in into is it no not of on or such that the their then there these they this to was will with"} {
		want := std.Analyze([]byte(s))
		for _, tk := range want { // positions only: offsets are not kept
			tk.Start, tk.End = 0, 0
		}
		if g, w := show(words.Analyze([]byte(s))), show(want); g != w {
			t.Errorf("%q:\n got %s\nwant %s", s, g, w)
		}
		if g, w := show(text.Analyze([]byte(s))), show(want); g != w { // one value
			t.Errorf("text %q:\n got %s\nwant %s", s, g, w)
		}
	}
}

// The index keeps the positions of words, so phrases match as before, and
// no byte offsets (positions.go).
func TestPhrasesWithoutOffsets(t *testing.T) {
	x := openIndex(t,
		ev("e1", "2026-01-02T10:00:00Z", "policy.updated", "Ann Lee", `{"note":"the escalation policy of payments primary"}`),
		ev("e2", "2026-01-02T11:00:00Z", "policy.updated", "Bob Roe", `{"note":"primary payments escalation"}`))
	for q, want := range map[string]string{
		`"payments primary"`:              "e1",
		`"primary payments"`:              "e2",
		`"escalation policy of payments"`: "e1", // "of" is a stop word: its position stays
		`"policy payments"`:               "",
		`message:"ann lee"`:               "e1",
		`"payments primary escalation"`:   "",
		`payments primary`:                "e2 e1",
		`+"Escalation policy" -"ann lee"`: "",
	} {
		if got := strings.Join(ids(t, x, audit.Query{Text: q}), " "); got != want {
			t.Errorf("%s: got %q, want %q", q, got, want)
		}
	}
	req := bleve.NewSearchRequest(query.NewMatchPhraseQuery("payments primary"))
	req.IncludeLocations = true
	res, err := x.idx.Search(req)
	if err != nil || len(res.Hits) != 1 {
		t.Fatal(err, res)
	}
	n := 0
	for _, terms := range res.Hits[0].Locations {
		for _, locs := range terms {
			for _, l := range locs {
				if l.Pos == 0 || l.Start != 0 || l.End != 0 {
					t.Errorf("location %+v: want a position and no offsets", l)
				}
				n++
			}
		}
	}
	if n < 2 {
		t.Errorf("%d locations, want both words'", n)
	}
}

// A document holds the mapped fields only: no empty _all composite, which
// Bleve would otherwise build and index for every event.
func TestNoAllField(t *testing.T) {
	x := openIndex(t, ev("e1", "2026-01-02T10:00:00Z", "user.login", "Ann Lee", `{"a":"zebra"}`))
	fields, err := x.idx.Fields()
	if err != nil || slices.Contains(fields, "_all") || !slices.Contains(fields, "text") {
		t.Fatalf("fields %v %v", fields, err)
	}
}

// BenchmarkWordSegmentation: the ASCII fast path against Bleve's unicode
// tokenizer, over the values of demo records as the text field gets them.
// go test ./backend/search -run XXX -bench WordSegmentation
func BenchmarkWordSegmentation(b *testing.B) {
	var buf bytes.Buffer
	if err := demo.Generate(demo.Options{Events: 5000, Seed: 1}, &buf); err != nil {
		b.Fatal(err)
	}
	var texts [][]byte
	for _, line := range bytes.Split(bytes.TrimSpace(buf.Bytes()), []byte("\n")) {
		texts = append(texts, []byte(rawValues(line)))
	}
	u := unicode.NewUnicodeTokenizer()
	for name, tok := range map[string]analysis.Tokenizer{"unicode": u, "ascii": &asciiTokenizer{u}} {
		b.Run(name, func(b *testing.B) {
			for i := 0; i < b.N; i++ {
				tok.Tokenize(texts[i%len(texts)])
			}
		})
	}
}
