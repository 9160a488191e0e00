package search

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/search/query"

	"auditlens/backend/audit"
)

// openPlainIndex is an index of evs whose user agents are a field of words
// in every document, as before mapping 17, the seqs as openIndex gives them.
func openPlainIndex(t testing.TB, evs []*audit.Event) *Index {
	return openIndexOf(t, evs, func(f docFields, key string, e *audit.Event) *document.Document {
		d := f.document(key, e, nil)
		d.AddField(newTimeField(e.Time))
		return d
	})
}

// count is how many values of field the index shares.
func (s *shared) count(field string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fields == nil {
		return 0
	}
	return len(s.fields[field].values)
}

// sharingEvents are events whose user agents are stop words only, differ
// in case only, are long, or are one word, and a hundred more user agents
// (more than a chunk of values).
func sharingEvents() []*audit.Event {
	var evs []*audit.Event
	for i := range 100 {
		e := ev(fmt.Sprint("agent", i), "2026-03-03T10:00:00Z", "user.login", "Ed Fox", `{}`)
		e.UserAgent = fmt.Sprintf("Agent/%d.0 (build %d; payments)", i, i*7)
		evs = append(evs, e)
	}
	for i, ua := range []string{"the of", "Mozilla/5.0 (X11; Linux x86_64) Firefox/130.0", "MOZILLA/5.0 (x11; linux X86_64) firefox/130.0",
		"okhttp/4.12.0", "curl", strings.Repeat("Agent/1.0 (long; build) ", 40) + "payments", "aws-cli/2.15.0 Python/3.11 the end"} {
		e := ev(fmt.Sprint("ua", i), "2026-03-02T10:00:00Z", "user.login", "Cy Dee", `{"n":`+strconv.Itoa(i)+`}`)
		e.UserAgent = ua
		evs = append(evs, e)
	}
	return evs
}

// A document holds its user agent's number, and a query's parts on the
// user agent match the numbers of the values they match (shared.go): the
// hits are those of the user agent as a field of words in every document,
// through the bitmaps and through the searcher, for words, phrases,
// patterns, fuzzy words, stop words and parts that match no value, bare or
// on user_agent, beside other parts; with every value shared, with few
// shared (the rest a field of words, past maxSharedValues or maxSharedLen),
// and in an index opened again, where more values are added.
func TestSharedValuesAsAField(t *testing.T) {
	evs := append(corpusAndDemo(t), sharingEvents()...)
	evs = append(evs, repeatingEvents()...)
	plain := openPlainIndex(t, evs)
	queries := []string{`firefox`, `"linux x86_64"`, `user_agent:"linux x86_64"`, `user_agent:firefox`, `mozilla`,
		`user_agent:the`, `+user_agent:the +login`, `+user_agent:zzz* +login`, `+user_agent:"zzz qqq" +login`,
		`+user_agent:"the of" +login`, `-user_agent:firefox`, `user_agent:/moz.*/`, `user_agent:*`, `user_agent:>5`,
		`user_agent:firefx~1`, `firefx~1`, `moz*`, `"x86_64 firefox"`, `curl`, `user_agent:curl`, `"long build"`,
		`+payments +user_agent:payments`, `user_agent:"the end"`, `+okhttp -curl`, `user_agent:okhttp*`, `"python 3.11"`,
		`user_agent:"build 7"`, `user_agent:agent*`, `"payments primary"`, `+payments -user_agent:agent`, `user_agent:"payments the"`}
	r := rand.New(rand.NewPCG(3, 5))
	a := plain.fields["user_agent"][0].analyzer
	for _, e := range evs {
		if r.IntN(6) > 0 {
			continue
		}
		field, value := "user_agent", e.UserAgent
		w := a.Analyze([]byte(value))
		if len(w) == 0 {
			continue
		}
		k := r.IntN(len(w))
		word := escapeTerm(string(w[k].Term))
		switch r.IntN(5) {
		case 0:
			queries = append(queries, word, field+":"+word)
		case 1:
			if k+1 < len(w) {
				queries = append(queries, `"`+string(w[k].Term)+" "+string(w[k+1].Term)+`"`, field+`:"`+string(w[k].Term)+" "+string(w[k+1].Term)+`"`)
			}
		case 2:
			if len(word) > 3 {
				queries = append(queries, word[:3]+"*", "+"+field+":"+word[:3]+"* +"+escapeTerm(e.Action))
			}
		case 3:
			queries = append(queries, "+"+word+" -action:"+escapeTerm(e.Action))
		case 4:
			if len(word) > 4 && (word[0] < '0' || word[0] > '9') {
				queries = append(queries, word[:len(word)-1]+"~1")
			}
		}
	}
	m := plain.idx.Mapping()
	check := func(name string, x *Index) {
		t.Helper()
		some := 0
		for _, n := range passesAsReference(t, x, queries, name+": ", func(bq query.Query) []int64 { return hitSeqs(t, plain, spread(unwrap(bq, m), m)) }) {
			if n > 0 && n < len(evs) {
				some++
			}
		}
		if some < len(queries)*2/3 {
			t.Fatalf("%s: only %d of %d queries have some of the events", name, some, len(queries))
		}
	}
	// distinct is how many values of each field can be shared.
	distinct := func() map[string]int {
		seen := map[[2]string]bool{}
		n := map[string]int{}
		add := func(field, value string) {
			if value != "" && len(value) <= maxSharedLen && !seen[[2]string{field, value}] {
				seen[[2]string{field, value}] = true
				n[field]++
			}
		}
		for _, e := range evs {
			add("user_agent", e.UserAgent)
		}
		return n
	}
	counts := func(name string, x *Index, want func(field string) int) {
		t.Helper()
		for f := range sharedFields {
			if n := x.shared.count(f); n != want(f) {
				t.Fatalf("%s: %d values of %s shared, want %d", name, n, f, want(f))
			}
		}
	}
	all := distinct()
	if all["user_agent"] <= sharedChunk {
		t.Fatalf("%d user agents: one chunk", all["user_agent"])
	}

	x := openIndex(t, evs...)
	counts("shared", x, func(f string) int { return all[f] })
	check("shared", x)

	defer func(n, l int) { maxSharedValues, maxSharedLen = n, l }(maxSharedValues, maxSharedLen)
	maxSharedValues, maxSharedLen = 3, 40
	few := openIndex(t, evs...)
	counts("few shared", few, func(string) int { return 3 })
	check("few shared", few)

	// Opened again, a first half and then the rest: the values are read
	// back, and the new ones numbered after them.
	maxSharedValues, maxSharedLen = 4096, 512
	dir := filepath.Join(t.TempDir(), "again")
	add := func(from, to int) {
		x, _, err := Open(dir, Options{})
		if err != nil {
			t.Fatal(err)
		}
		b := x.NewBatch()
		for i := from; i < to; i++ {
			if err := b.Add(int64(i+1), evs[i]); err != nil {
				t.Fatal(err)
			}
		}
		if err := b.Commit(int64(to), true); err != nil {
			t.Fatal(err)
		}
		if err := x.Close(); err != nil {
			t.Fatal(err)
		}
	}
	add(0, len(evs)/2)
	add(len(evs)/2, len(evs))
	again, fresh, err := Open(dir, Options{})
	if err != nil || fresh {
		t.Fatal(err, fresh)
	}
	defer again.Close()
	check("opened again", again)
	counts("opened again", again, func(f string) int { return all[f] })
}

// A batch that never reaches the index leaves its values' numbers without
// values: the batches after it write the chunks of the numbers they use, a
// missing chunk's numbers stay unused, and its values are numbered again.
func TestSharedValuesOfAFailedBatch(t *testing.T) {
	agent := func(i int) *audit.Event {
		e := ev(fmt.Sprint("e", i), "2026-03-03T10:00:00Z", "user.login", "Ed Fox", `{}`)
		e.UserAgent = fmt.Sprintf("Agent/%d (build %d)", i, i)
		return e
	}
	dir := filepath.Join(t.TempDir(), "index")
	x, _, err := Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	lost := x.NewBatch()
	for i := 0; i < 70; i++ { // numbers 1-70, chunks 0 and 1
		if err := lost.Add(int64(i+1), agent(i)); err != nil {
			t.Fatal(err)
		}
	}
	var evs []*audit.Event
	b := x.NewBatch()
	for i := 70; i < 80; i++ { // 71-80, chunk 1
		evs = append(evs, agent(i))
		if err := b.Add(int64(len(evs)), evs[len(evs)-1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(int64(len(evs)), true); err != nil {
		t.Fatal(err)
	}
	x.Close()
	x, _, err = Open(dir, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	b = x.NewBatch()
	for _, i := range []int{5, 75, 200} { // a value lost, one kept, a new one
		evs = append(evs, agent(i))
		if err := b.Add(int64(len(evs)), evs[len(evs)-1]); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(int64(len(evs)), true); err != nil {
		t.Fatal(err)
	}
	if n := x.shared.count("user_agent"); n != 82 {
		t.Fatalf("%d numbers given, want 82 (80, then two new)", n)
	}
	plain := openPlainIndex(t, evs)
	m := plain.idx.Mapping()
	for _, text := range []string{`agent`, `"agent 5"`, `"agent 75"`, `user_agent:"build 200"`, `"agent 60"`, `user_agent:7*`, `"build 71"`} {
		bq, err := Compile(audit.Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		want := hitSeqs(t, plain, spread(unwrap(bq, m), m))
		if got := passSeqs(t, x, audit.Query{Text: text}, false); !slices.Equal(got, want) {
			t.Fatalf("%s: %v, with the field %v", text, got, want)
		}
	}
}
