package search

import (
	"maps"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// oldDocument is an event's document as mapping 12 built it: the free
// text one field of every value (oldFreeText), no "word", the message, names and user
// agent fields of their own as well. (The user agent has positions, and is
// in the free text, as mapping 13 made them.)
func oldDocument(f docFields, key string, ev *audit.Event) *document.Document {
	d := f.document(key, ev, nil)
	fields := d.Fields[:0]
	for _, fl := range d.Fields {
		if fl.Name() != textFieldName && fl.Name() != wordFieldName {
			fields = append(fields, fl)
		}
	}
	d.Fields = fields
	if text := oldFreeText(ev); text != "" {
		docBuilder{Document: d, f: f}.add(textFieldName, nil, text)
	}
	d.AddField(newTimeField(ev.Time))
	return d
}

// oldFreeText is the free text of mapping 12, every value once, and the
// user agent.
func oldFreeText(ev *audit.Event) string {
	var v textValues
	v.add(ev.Message)
	for _, s := range []string{ev.Actor.Name, ev.Actor.Email, ev.Actor.ID, ev.Action, ev.IP} {
		v.add(s)
	}
	for _, t := range ev.Targets {
		v.add(t.Name)
		v.add(t.ID)
	}
	eachRawValue(ev.Raw, &v)
	v.add(ev.UserAgent)
	return string(v.b)
}

// The free text as several fields (textFields) finds what it found as one
// field: words, words the analyzer splits, stop words, phrases (inside one
// value), wildcards, regular expressions, fuzzy words, `text:`, beside
// fields and must and must-not, and the fields of their own; through the
// bitmaps and through the searcher; over the corpus and demo events, and
// events whose names and message repeat each other and their records.
func TestFreeTextFieldsAsOneField(t *testing.T) {
	evs := corpusAndDemo(t)
	evs = append(evs, repeatingEvents()...)
	x, old := openIndex(t, evs...), openOldIndex(t, evs)

	queries := []string{`renamed`, `"ann lee"`, `"lee ann"`, `"ann lee renamed"`, `"payments primary"`, `"primary payments"`,
		`firefox`, `"linux x86_64"`, `eu-west-1`, `the`, `"by the admin"`, `+the +payments`, `+eu-west-1 -admin`,
		`login -payments`, `+payments +login`, `payments -action:user.login`, `pay*`, `/pa.*s/`, `renamd~1`, `*ann*`,
		`text:renamed`, `text:"ann lee"`, `-renamed`, `+zzz* +payments`, `+/zz.*/ payments`, `zzz* payments`, `-zzz*`,
		`message:renamed`, `message:"ann lee"`, `actor.name:ann`, `targets.name:"lee ann"`, `targets.name:"primary payments"`,
		`user_agent:"linux x86_64"`, `message:the`, `nothingatall`, `+nothingatall payments`, `+"the" +payments`,
		`"the of" payments`, `-"the"`, `+the~1 +payments`, `"firefox"`, `"the firefox"`,
		`"eu-west-1"`, `"admin the"`, `quarantined`, `"quarantined"`, `"the quarantined"`, `quarantined~1`, `quarant*`,
		`"new payments"`, `"payments the primary"`, `"payments the the primary"`, `"primary desk"`}
	words := func(value string) []string {
		var out []string
		for _, tk := range old.fields["message"][0].analyzer.Analyze([]byte(value)) {
			out = append(out, string(tk.Term))
		}
		return out
	}
	r := rand.New(rand.NewPCG(7, 13))
	for i := 0; i < 300; i++ {
		e := evs[r.IntN(len(evs))]
		values := strings.Split(oldFreeText(e), string(valueSep))
		w := words(values[r.IntN(len(values))])
		if len(w) == 0 {
			continue
		}
		k := r.IntN(len(w))
		switch r.IntN(8) {
		case 7:
			queries = append(queries, `"`+escapeTerm(w[k])+`"`)
		case 0:
			queries = append(queries, escapeTerm(w[k]))
		case 1:
			if k+1 < len(w) {
				queries = append(queries, `"`+w[k]+" "+w[k+1]+`"`)
			}
		case 2:
			if len(w[k]) > 3 {
				queries = append(queries, escapeTerm(w[k][:3])+"*")
			}
		case 3:
			if len(w[k]) > 4 && (w[k][0] < '0' || w[k][0] > '9') { // (a number with ~ is no query)
				queries = append(queries, escapeTerm(w[k][:len(w[k])-1])+"~1")
			}
		case 4:
			queries = append(queries, "+"+escapeTerm(w[k])+" -action:"+escapeTerm(e.Action))
		case 5:
			queries = append(queries, escapeTerm(w[k])+" -"+escapeTerm(words(e.Actor.Name + " x")[0]))
		case 6:
			if k+1 < len(w) {
				queries = append(queries, "+"+escapeTerm(w[k])+" +"+escapeTerm(w[k+1]))
			}
		}
	}
	m := x.idx.Mapping()
	some := 0
	for _, n := range passesAsReference(t, x, queries, "", func(bq query.Query) []int64 { return hitSeqs(t, old, unwrap(bq, m)) }) {
		if n > 0 && n < len(evs)/2 {
			some++
		}
	}
	// Match queries the query syntax does not make: of automatic
	// fuzziness, of the OR operator, of fuzzy words and a prefix.
	auto := query.NewMatchQuery("renamd paymnts")
	auto.SetAutoFuzziness(true)
	or := query.NewMatchQuery("renamed firefox")
	or.SetOperator(query.MatchQueryOperatorOr)
	prefixed := query.NewMatchQuery("xirefox primery") // (firefox is not within the prefix)
	prefixed.SetFuzziness(1)
	prefixed.SetPrefix(1)
	// Fuzzy phrases, which the syntax does not make either: of one word
	// (on "word", a fuzzy term) and of more.
	phrase := func(text string, fuzziness int, auto bool) *query.MatchPhraseQuery {
		p := query.NewMatchPhraseQuery(text)
		p.SetFuzziness(fuzziness)
		p.SetAutoFuzziness(auto)
		return p
	}
	for _, mq := range []query.Query{auto, or, prefixed, phrase("renamd", 1, false), phrase("the paymnts", 1, false),
		phrase("paymnts", 0, true), phrase("an le", 1, false), phrase("quarantned", 1, false)} {
		want := hitSeqs(t, old, mq)
		sq, err := x.shareParts(t.Context(), spread(mq, m))
		if err != nil {
			t.Fatal(err)
		}
		got := hitSeqs(t, x, sq)
		if len(want) == 0 || !slices.Equal(got, want) {
			t.Fatalf("%+v: %d hits, %d with one field", mq, len(got), len(want))
		}
	}
	if some < len(queries)/2 {
		t.Fatalf("only %d of %d queries have some of the events", some, len(queries))
	}
}

// repeatingEvents are events whose names and message repeat each other
// and their records, and a phrase's words in two targets' names.
func repeatingEvents() []*audit.Event {
	same := ev("same", "2026-03-01T10:00:00Z", "user.updated", "Ann Lee", `{"actor":"Ann Lee","target":"Ann Lee","msg":"Ann Lee renamed Ann Lee"}`)
	same.Message = "Ann Lee renamed Ann Lee"
	same.Targets = []audit.Target{{Name: "Payments Primary", ID: "p1"}, {Name: "Ann Lee", ID: "u1"}, {Name: "Lee Ann", ID: "u2"}}
	same.UserAgent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0"
	split := ev("split", "2026-03-01T11:00:00Z", "user.login", "Bo Chan", `{"where":"eu-west-1","state":"Quarantined","note":"New Payments","owner":"Primary Desk"}`)
	split.Message = "login from eu-west-1 by the admin"
	split.Targets = []audit.Target{{Name: "Primary"}, {Name: "Old Payments"}} // (primary at 1, payments at 2, in two names)
	return []*audit.Event{same, split}
}

// passesAsReference holds x's passes over each query, through the bitmaps
// and through Bleve's searcher, to the seqs reference gives for the query
// compiled, and returns each query's number of hits; label names x in a
// failure.
func passesAsReference(t *testing.T, x *Index, queries []string, label string, reference func(bq query.Query) []int64) []int {
	t.Helper()
	hits := make([]int, len(queries))
	for i, text := range queries {
		q := audit.Query{Text: text}
		bq, err := Compile(q)
		if err != nil {
			t.Fatalf("%s: %v", text, err)
		}
		want := reference(bq)
		for _, noBits := range []bool{false, true} {
			if got := passSeqs(t, x, q, noBits); !slices.Equal(got, want) {
				t.Fatalf("%s%s (searcher: %v): %d hits, %d in the reference\n%v\n%v", label, text, noBits, len(got), len(want), got, want)
			}
		}
		hits[i] = len(want)
	}
	return hits
}

// passSeqs is the seqs of q's hits, as x's pass finds them through the
// bitmaps, or through Bleve's searcher.
func passSeqs(t testing.TB, x *Index, q audit.Query, searcher bool) []int64 {
	t.Helper()
	got, err := eachSeqs(x, q, searcher)
	if err != nil {
		t.Fatalf("%s: %v", q.Text, err)
	}
	return got
}

// openOldIndex is an index of evs' documents as mapping 12 made them
// (oldDocument), the seqs as openIndex gives them.
func openOldIndex(t testing.TB, evs []*audit.Event) *Index {
	return openIndexOf(t, evs, oldDocument)
}

// openIndexOf is an index of evs' documents as build makes them, the seqs
// as openIndex gives them.
func openIndexOf(t testing.TB, evs []*audit.Event, build func(f docFields, key string, ev *audit.Event) *document.Document) *Index {
	t.Helper()
	x, _, err := Open(filepath.Join(t.TempDir(), "index"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { x.Close() })
	b := x.idx.NewBatch()
	for i, e := range evs {
		if err := b.IndexAdvanced(build(x.fields, DocKey(int64(i+1)), e)); err != nil {
			t.Fatal(err)
		}
	}
	if err := x.idx.Batch(b); err != nil {
		t.Fatal(err)
	}
	return x
}

// FuzzFreeTextFieldsAsOneField: any query text finds through the bitmaps
// what it found with the free text one field (TestFreeTextFieldsAsOneField).
func FuzzFreeTextFieldsAsOneField(f *testing.F) {
	evs := append(unwrapTrail(), repeatingEvents()...)
	x, old := openIndex(f, evs...), openOldIndex(f, evs)
	for _, s := range []string{`payments -login`, `+the +payments`, `"queue depth" admin~1`, `"ann lee"`, `firefox`,
		`+eu-west-1 -admin`, `pay*`, `/pa.*s/`, `text:queue`, `message:login actor.name:ann`, `+"the" +payments`} {
		f.Add(s)
	}
	m := x.idx.Mapping()
	f.Fuzz(func(t *testing.T, s string) {
		if len(s) > 200 {
			return // a long pattern makes a search of seconds
		}
		if strings.ContainsRune(s, valueSep) {
			// A phrase holding the values' separator is two values, a gap
			// of valueGap apart, and matched two values of the one field
			// in a row; a value of one word is not in "text" now.
			return
		}
		q := audit.Query{Text: s}
		bq, err := Compile(q)
		if err != nil {
			return
		}
		want, err1 := searchSeqs(old, unwrap(bq, m))
		var got []int64
		_, err2 := x.EachSeq(q, func(seq int64) { got = append(got, seq) })
		slices.Sort(got)
		if (err1 != nil) != (err2 != nil) || !slices.Equal(got, want) {
			t.Fatalf("%q: %d hits (%v), %d with one field (%v)", s, len(got), err2, len(want), err1)
		}
	})
}

// escapeTerm escapes what the query syntax reads in a term.
func escapeTerm(s string) string {
	var b strings.Builder
	for _, c := range s {
		if strings.ContainsRune(`+-=&|><!(){}[]^"~*?:\/ `, c) {
			b.WriteByte('\\')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// The free text's values of one word (after analysis) are "word"'s terms,
// of frequency 1 and no position; the others are "text"'s, each at its
// words' positions shifted alike; together they are every term the free
// text had as one field (mapping 15, analysed by text's analyzer).
func TestFreeTextSplit(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	f, err := newDocFields(m)
	if err != nil {
		t.Fatal(err)
	}
	one := ev("one", "2026-03-01T12:00:00Z", "user.login", "Cy Dee",
		`{"id":"evt_1","a":"The Payments","b":"payments.","c":"the","d":"eu-west-1","e":"x`+"\x1e"+`y","f":"x`+"\x1e\x1e"+`z"}`)
	evs := append(append(corpusAndDemo(t), repeatingEvents()...), one)
	words, asOne := f[wordFieldName][0].analyzer, f[textFieldName][0].analyzer
	for _, e := range evs {
		free := freeText(e)
		inText, inWord := map[string][]int{}, map[string]bool{}
		f.document("k", e, nil).VisitFields(func(fl index.Field) {
			if fl.Name() != textFieldName && fl.Name() != wordFieldName {
				return
			}
			fl.Analyze()
			for term, tf := range fl.AnalyzedTokenFrequencies() {
				if fl.Name() == wordFieldName {
					inWord[term] = true
					if tf.Frequency() != 1 || len(tf.Locations) != 0 {
						t.Fatalf("%s: word %q: frequency %d, %d positions", e.ID, term, tf.Frequency(), len(tf.Locations))
					}
					continue
				}
				for _, l := range tf.Locations {
					inText[term] = append(inText[term], l.Position)
				}
			}
		})
		for _, v := range strings.Split(strings.TrimSuffix(free, string(valueSep)), string(valueSep)) {
			tokens := words.Analyze([]byte(v))
			if len(tokens) == 1 && !inWord[string(tokens[0].Term)] {
				t.Fatalf("%s: the value %q of one word is not in word", e.ID, v)
			}
			if len(tokens) < 2 {
				continue
			}
			found := false // at some shift, every word of the value is at its position
			for _, p := range inText[string(tokens[0].Term)] {
				shift, all := p-tokens[0].Position, true
				for _, tk := range tokens {
					all = all && slices.Contains(inText[string(tk.Term)], tk.Position+shift)
				}
				found = found || all
			}
			if !found {
				t.Fatalf("%s: the value %q is not in text at its positions: %v", e.ID, v, inText)
			}
		}
		want := map[string]bool{}
		for _, tk := range asOne.Analyze([]byte(free)) {
			want[string(tk.Term)] = true
		}
		for term := range inText {
			inWord[term] = true
		}
		if !maps.Equal(inWord, want) {
			t.Fatalf("%s: the two fields' terms %v, the one field's %v", e.ID, inWord, want)
		}
	}
	// The event of odd values: the vendor's id and "The Payments" are one
	// word each, "payments." the same word, "the" none; eu-west-1 is three;
	// a value holding the values' separator is two values.
	terms := map[string]bool{}
	f.document("k", one, nil).VisitFields(func(fl index.Field) {
		fl.Analyze()
		for term := range fl.AnalyzedTokenFrequencies() {
			terms[fl.Name()+":"+term] = true
		}
	})
	for _, k := range []string{"word:evt_1", "word:payments", "text:eu", "text:west", "text:1", "word:x", "word:y", "word:z"} {
		if !terms[k] {
			t.Errorf("no %s in %v", k, terms)
		}
	}
}

// A term is cut after maxTermRunes characters in every field, the query's
// alike, so a value searched whole still finds itself; a record's free text
// keeps its first maxFreeValues distinct values.
func TestHugeValuesBounded(t *testing.T) {
	m, err := newMapping()
	if err != nil {
		t.Fatal(err)
	}
	long := strings.Repeat("a", 3*maxTermRunes)
	for _, name := range []string{keywordAnalyzer, wordsAnalyzer, textAnalyzer} {
		for _, tok := range m.AnalyzerNamed(name).Analyze([]byte(long)) {
			if len(tok.Term) != maxTermRunes {
				t.Errorf("%s keeps a term of %d bytes", name, len(tok.Term))
			}
		}
	}
	defer func(n int) { maxFreeValues = n }(maxFreeValues)
	maxFreeValues = 8
	x := openIndex(t,
		ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{"token":"`+long+`","v1":"first1","v2":"second2","v3":"third3","v4":"fourth4","v5":"fifth5","v6":"sixth6","v7":"seventh7"}`),
		ev("b", "2026-01-02T00:00:00Z", "login", "Bob Jones", `{"token":"`+strings.Repeat("b", 10)+`"}`))
	for q, want := range map[string]string{long: "a", strings.ToUpper(long): "a", `"` + long + `"`: "a",
		"first1": "a", "third3": "a", "seventh7": "", strings.Repeat("b", 10): "b"} {
		if got := strings.Join(ids(t, x, audit.Query{Text: q}), " "); got != want {
			t.Errorf("%.40s: %q, want %q", q, got, want)
		}
	}
}

// The free text keeps maxFreeBytes of a record's values, the value that
// crosses it cut (inside a character, never), and a field's words
// maxFieldBytes of its value.
func TestFreeTextBytesBounded(t *testing.T) {
	defer func(n, m int) { maxFreeBytes, maxFieldBytes = n, m }(maxFreeBytes, maxFieldBytes)
	maxFreeBytes, maxFieldBytes = 64, 32
	e := ev("a", "2026-01-01T00:00:00Z", "login", "Alice Smith", `{"v1":"first1","v2":"second2 third3 crossing4 éé past5","v3":"after6"}`)
	e.Message = "early1 words2 in3 the4 message5 and6 late7"
	x := openIndex(t, e)
	for q, want := range map[string]string{"first1": "a", "second2": "a", "crossing4": "a", "past5": "", "after6": "",
		"message:early1": "a", "message:late7": ""} {
		if got := strings.Join(ids(t, x, audit.Query{Text: q}), " "); got != want {
			t.Errorf("%s: %q, want %q", q, got, want)
		}
	}
	var v textValues
	v.max = 5
	v.add("abcdé") // é is two bytes: cut before it, not inside
	if string(v.b) != "abcd\x1e" || !v.full {
		t.Errorf("%q, full %v", v.b, v.full)
	}
}

// A raw value's \uXXXX escapes are its characters, as a JSON decoder reads
// them (Python's json.dumps writes every non-ASCII letter so): café is
// found, and caf is no word of it.
func TestRawEscapesAreTheirCharacters(t *testing.T) {
	x := openIndex(t, ev("a", "2026-01-01T00:00:00Z", "login", "Alice",
		`{"note":"caf\u00e9 cr\u00e8me br\u00fbl\u00e9e","who":"\u0041dmin","face":"smile\ud83d\ude00d","bad":"x\uZZZZy","ctl":"a\u0009b"}`))
	for q, want := range map[string]uint64{"café": 1, "crème": 1, `"crème brûlée"`: 1, "admin": 1, "smile😀d": 1,
		"caf": 0, "br": 0, "dmin": 0, "b": 1, "ab": 0, "zzzzy": 1} {
		res, err := x.Search(audit.Query{Text: q})
		if err != nil || res.Total != want {
			t.Errorf("%q: %v hits, %v; want %d", q, res, err, want)
		}
	}
	if got := string(appendUnescaped(nil, []byte(`\ud83d\ude00 \ud83d \u00e9\/\"\\ \u12`))); got != "😀 \uFFFD é/\"\\  12" {
		t.Errorf("appendUnescaped: %q", got)
	}
}
