package search

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"auditlens/backend/audit"
)

// requestEvents are events whose request ids try what the free text's
// phrase of a value could miss: a value the raw record holds in another
// case, one that is the message (the free text keeps it in its field, not
// in "text"), the user agent, a stop word, punctuation, non-ASCII
// letters (a Σ that ends a word is lowered to ς: in the free text's word
// "ας", in the value's term "ασ-1"), the free text's value separator, a value the record does not
// hold, and records that name another event's id as a parent.
func requestEvents() []*audit.Event {
	at := "2026-03-02T10:00:00Z"
	mk := func(id, request, raw string) *audit.Event {
		e := ev(id, at, "key.rotated", "Ann Lee", raw)
		e.Request = request
		return e
	}
	upper := mk("upper", "REQ-Upper-42", `{"requestId":"req-upper-42"}`)
	parent := mk("parent", "child-1", `{"requestId":"child-1","parentRequestId":"REQ-UPPER-42","note":"req upper 42"}`)
	msg := mk("msg", "Rotated the Key", `{"m":"x"}`)
	msg.Message = "rotated the key"
	ua := mk("ua", "curl/8.0", `{}`)
	ua.UserAgent = "curl/8.0"
	return []*audit.Event{upper, parent, msg, ua,
		mk("stop", "the", `{"requestId":"the"}`), mk("punct", "---", `{"requestId":"---"}`),
		mk("uni", "Ünï-ΣΑΣ-1", `{"requestId":"ünï-σασ-1"}`), mk("sigma", "Ünï-ΑΣ-1", `{}`), mk("sep", "k1\x1ek2", `{"r":"k1 k2"}`),
		mk("unsaid", "corr-77 payments", `{"payments":"primary"}`), mk("dup", "corr-77 PAYMENTS", `{}`)}
}

// An index the service opens keeps its events' request ids stored, not
// indexed, and answers every query on request as an index holding the
// terms does: exact values in any case, quoted, wildcards, regular
// expressions, fuzzy terms, empty values and ranges, as must, must not or
// should, beside words and fields of the database, over several segments
// with documents written again; through the bitmaps and through Bleve's
// searcher; and so does an index that also holds the terms (AllFields),
// whose bitmaps read the stored values all the same. An exact value reads
// only the stored values of its phrase's hits.
func TestStoredFieldsAnswerAsTheIndex(t *testing.T) {
	evs := slices.Concat(corpusAndDemo(t), repeatingEvents(), requestEvents())
	cols := &eventColumns{evs: evs}
	again := []int64{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, int64(len(evs))} // (the last: a request event)
	x := openRewritten(t, evs, Options{Columns: cols}, again...)
	all := openRewritten(t, evs, Options{Columns: cols, AllFields: true}, again...)
	ref := openIndex(t, evs...)
	if n := termsIn(t, x, "request"); n != 0 {
		t.Fatalf("%d request terms in the documents", n)
	}
	if termsIn(t, all, "request") == 0 || termsIn(t, ref, "request") == 0 {
		t.Fatal("no request terms in the reference")
	}

	queries := []string{`request:req-upper-42`, `request:REQ\-UPPER\-42`, `request:"Req-Upper-42"`, `request:child\-1`,
		`request:"rotated the key"`, `request:"curl/8.0"`, `request:the`, `request:"the"`, `request:\-\-\-`, `request:"---"`,
		`request:"ünï-σασ-1"`, `request:"ÜNÏ-ΣΑΣ-1"`, `request:"ünï-ασ-1"`, `request:ünï*`, "request:\"k1\x1ek2\"", `request:"corr-77 payments"`,
		`request:req*`, `request:REQ-U*`, `request:/req-.*/`, `request:/.*-4[0-9]/`, `request:*`, `-request:*`,
		`request:req-upper-43~1`, `request:req-upper-4~2`, `request:""`, `+request:"" +payments`, `request:>5`,
		`+payments +request:"corr-77 payments"`, `request:"corr-77 payments" payments`, `+request:req-upper-42 -outcome:success`,
		`+request:req-upper-42 +outcome:success`, `-request:req-upper-42 key`, `rotated -request:"rotated the key"`,
		`+the +request:child\-1`, `request:child\-1 request:req-upper-42`, `+request:child* +category:access -outcome:failure`,
		`request:nosuchrequest`, `+request:nosuchrequest payments`, `request:req-upper-42^3 payments`}
	r := rand.New(rand.NewPCG(20, 2026))
	words := []string{"payments", "the", "acme", "login", "primary", "nosuchword", `"payments primary"`, "pay*", "outcome:failure", "category:alert"}
	for range 300 {
		var clauses []string
		for range 1 + r.IntN(3) {
			part := words[r.IntN(len(words))]
			if v := evs[r.IntN(len(evs))].Request; r.IntN(3) > 0 && v != "" {
				switch r.IntN(5) {
				case 0, 1:
					part = "request:" + escapeTerm(v)
				case 2:
					part = `request:"` + strings.ReplaceAll(strings.ToUpper(v), `"`, `\"`) + `"`
				case 3:
					part = "request:" + escapeTerm(strings.ToLower(v[:(len(v)+1)/2])) + "*"
				case 4:
					if len(v) > 3 && (v[0] < '0' || v[0] > '9') { // (a number's ~ is not the syntax's)
						part = "request:" + escapeTerm(strings.ToLower(v[:len(v)-1])) + "~1"
					}
				}
			}
			clauses = append(clauses, []string{"", "", "+", "-"}[r.IntN(4)]+part)
		}
		queries = append(queries, strings.Join(clauses, " "))
	}
	some := 0
	for _, text := range queries {
		want := passSeqs(t, ref, audit.Query{Text: text}, true)
		if len(want) > 0 && len(want) < len(evs)/2 {
			some++
		}
		bq, err := Compile(audit.Query{Text: text})
		if err != nil {
			t.Fatal(err)
		}
		for _, idx := range []*Index{x, all} {
			for _, noBits := range []bool{false, true} {
				if noBits && namesDatabaseField(bq) {
					continue // (Bleve's searcher cannot answer those: TestColumnsAnswerAsTheIndex)
				}
				if got := passSeqs(t, idx, audit.Query{Text: text}, noBits); !slices.Equal(got, want) {
					t.Fatalf("%s (all fields: %v, searcher: %v): %d hits, the reference %d\n%v\n%v",
						text, idx == all, noBits, len(got), len(want), got, want)
				}
			}
		}
	}
	if some < len(queries)/3 {
		t.Fatalf("only %d of %d queries have some of the events", some, len(queries))
	}

	// An exact value reads the stored values of its phrase's hits alone,
	// each way; a wildcard every document's.
	for _, noBits := range []bool{false, true} {
		before := x.storedReads.Load()
		if got := passSeqs(t, x, audit.Query{Text: `request:req-upper-42`}, noBits); len(got) != 1 {
			t.Fatalf("req-upper-42: %v", got)
		}
		if n := x.storedReads.Load() - before; n != 2 { // (the parent names it)
			t.Fatalf("searcher %v: %d values read for one value", noBits, n)
		}
		before = x.storedReads.Load()
		passSeqs(t, x, audit.Query{Text: `request:req*`}, noBits)
		if n := x.storedReads.Load() - before; n != uint64(len(evs)) {
			t.Fatalf("searcher %v: %d values read for a wildcard over %d events", noBits, n, len(evs))
		}
	}
}

// FuzzStoredRequests: whatever an event's request id (the record holding
// it, another event's in upper case), that id quoted, and any query text
// find in the service's index (ids stored, not indexed), through the
// bitmaps and Bleve's searcher, what they find in an index holding the
// terms, or fail in both.
func FuzzStoredRequests(f *testing.F) {
	for _, s := range [][2]string{{"REQ-Upper-42", `request:req-upper-42`}, {"Ünï-ΑΣ-1", `request:"ünï-ασ-1"`},
		{"k1\x1ek2", `request:k1*`}, {"the", `+request:"THE" key`}, {"a b", `request:/a.*/ -request:"a b"`},
		{"İstanbul-ΣΑΣ", `request:istanbul~1`}, {`x"y\z`, `request:*`}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, request, text string) {
		if len(text) > 100 || request == "" {
			return // (a long pattern makes a search of seconds)
		}
		raw, _ := json.Marshal(map[string]string{"requestId": request})
		one := ev("one", "2026-03-02T10:00:00Z", "key.rotated", "Ann Lee", string(raw))
		one.Request = request
		two := ev("two", "2026-03-02T11:00:00Z", "key.rotated", "Bo Chan", `{}`)
		two.Request = strings.ToUpper(request)
		evs := []*audit.Event{one, two}
		x := openRewritten(t, evs, Options{Columns: &eventColumns{evs: evs}})
		ref := openIndex(t, evs...)
		quoted := `request:"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(request) + `"`
		for _, q := range []string{quoted, text} {
			want, werr := eachSeqs(ref, audit.Query{Text: q}, false)
			for _, noBits := range []bool{false, true} {
				bq, cerr := Compile(audit.Query{Text: q})
				if noBits && cerr == nil && namesDatabaseField(bq) {
					continue // (Bleve's searcher cannot answer those)
				}
				got, gerr := eachSeqs(x, audit.Query{Text: q}, noBits)
				if (gerr != nil) != (werr != nil) || !slices.Equal(got, want) {
					t.Fatalf("%q, request %q (searcher: %v): %v (%v), the reference %v (%v)", q, request, noBits, got, gerr, want, werr)
				}
			}
		}
	})
}

// eachSeqs is the sorted seqs of q's hits in x, through the bitmaps or
// Bleve's searcher, or the error.
func eachSeqs(x *Index, q audit.Query, searcher bool) ([]int64, error) {
	x.noBitPass = searcher
	defer func() { x.noBitPass = false }()
	var got []int64
	_, err := x.EachSeq(q, func(seq int64) { got = append(got, seq) })
	slices.Sort(got)
	return got, err
}
