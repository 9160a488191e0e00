package search

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/analysis"
	"github.com/blevesearch/bleve/v2/document"
	"github.com/blevesearch/bleve/v2/mapping"
	index "github.com/blevesearch/bleve_index_api"

	"auditlens/backend/audit"
)

// fieldSpec is a field that a value at one path of the mapping becomes.
type fieldSpec struct {
	name     string
	options  index.FieldIndexingOptions
	analyzer analysis.Analyzer
}

// docFields is what Batch.Add needs of the index's mapping: for each
// mapped path ("actor.email"), the fields a value there becomes. It is read
// once from the index's own mapping (an index keeps the mapping it was made
// with), so Add builds documents field for field as Bleve's MapDocument
// builds them from the event as a map, without the map and the reflection
// over it: those were ~5% of a 1M import's CPU.
// TestDocumentsAsMapDocumentBuildsThem holds the two to the same fields.
type docFields map[string][]fieldSpec

// newDocFields reads m; a mapping it cannot follow as MapDocument would (a
// dynamic part, a field that is not text, an unknown analyzer) is an error.
func newDocFields(m mapping.IndexMapping) (docFields, error) {
	im, ok := m.(*mapping.IndexMappingImpl)
	if !ok {
		return nil, fmt.Errorf("a mapping of type %T", m)
	}
	f := docFields{}
	var walk func(prefix string, dm *mapping.DocumentMapping, analyzer string) error
	walk = func(prefix string, dm *mapping.DocumentMapping, analyzer string) error {
		// A dynamic object would index values Add does not know of; a
		// field's own mapping (Bleve makes those dynamic) has no values
		// below it.
		if dm.Dynamic && len(dm.Fields) == 0 {
			return fmt.Errorf("a dynamic mapping at %q", prefix)
		}
		for name, sub := range dm.Properties {
			if !sub.Enabled {
				continue // _all
			}
			path, inherited := prefix+name, analyzer
			if sub.DefaultAnalyzer != "" {
				inherited = sub.DefaultAnalyzer
			}
			for _, fm := range sub.Fields {
				if fm.Type != "text" {
					return fmt.Errorf("a %s field at %q", fm.Type, path)
				}
				name := path
				if fm.Name != "" {
					name = prefix + fm.Name
				}
				an := fm.Analyzer
				if an == "" {
					an = inherited
				}
				if an == "" {
					an = im.DefaultAnalyzer
				}
				a := im.AnalyzerNamed(an)
				if a == nil {
					return fmt.Errorf("no analyzer %q for %q", an, path)
				}
				f[path] = append(f[path], fieldSpec{name, fm.Options(), a})
			}
			if err := walk(path+".", sub, inherited); err != nil {
				return err
			}
		}
		return nil
	}
	dm := im.DefaultMapping
	if !dm.Enabled {
		return nil, errors.New("a disabled mapping")
	}
	if all := dm.Properties["_all"]; all == nil || all.Enabled {
		return nil, errors.New("a mapping with the _all field")
	}
	if err := walk("", dm, dm.DefaultAnalyzer); err != nil {
		return nil, err
	}
	// The free text's values go to its two fields (addFreeText).
	if len(f[textFieldName]) != 1 || len(f[wordFieldName]) != 1 {
		return nil, fmt.Errorf("a mapping without one %q and one %q field", textFieldName, wordFieldName)
	}
	// A stored field's value is also stored, folded by its analyzer
	// (storedfield.go).
	for name := range storedFields {
		if len(f[name]) != 1 {
			return nil, fmt.Errorf("a mapping without one %q field", name)
		}
		f[name] = append(f[name], fieldSpec{name, index.StoreField, f[name][0].analyzer})
	}
	return f, nil
}

// document is what the index holds of an event under its key (DocKey),
// besides its time (a timeField): the normalized fields, and the rest of
// the free text (freeText). An empty value is no field (a missing value is
// not a term, and a facet counts it as missing, not as ""); a tag is a
// field whatever it is, as it was when tags went through MapDocument.
// share gives the number of a value of sharedFields where the index
// shares it (shared.go), and the document holds that in place of the
// value's words; nil shares none.
func (f docFields) document(key string, ev *audit.Event, share func(field, value string) string) *document.Document {
	d := docBuilder{document.NewDocument(key), f, share}
	for _, v := range [...][2]string{{"format", ev.Format}, {"category", ev.Category}, {"action", ev.Action},
		{"outcome", ev.Outcome}, {"ip", ev.IP}, {"user_agent", ev.UserAgent}, {"session", ev.Session},
		{"request", ev.Request}, {"message", ev.Message}, {"source", ev.Source.Name},
		{"actor.id", ev.Actor.ID}, {"actor.name", ev.Actor.Name}, {"actor.email", ev.Actor.Email},
		{"actor.type", ev.Actor.Type}, {"actor.label", ev.Actor.Label()}} {
		if v[1] != "" {
			d.add(v[0], nil, v[1])
		}
	}
	for i, t := range ev.Targets {
		at := []uint64{uint64(i)}
		for _, v := range [...][2]string{{"targets.type", t.Type}, {"targets.id", t.ID}, {"targets.name", t.Name}} {
			if v[1] != "" {
				d.add(v[0], at, v[1])
			}
		}
	}
	for i, tag := range ev.Tags {
		d.add("tag", []uint64{uint64(i)}, tag)
	}
	if text := freeText(ev); text != "" {
		d.addFreeText(text)
	}
	d.SetIndexed()
	return d.Document
}

// sizedDoc is a document whose Size is the bytes of its values, counted
// when it was queued (Batch).
type sizedDoc struct {
	*document.Document
	size int
}

func (d sizedDoc) Size() int { return d.size }

type docBuilder struct {
	*document.Document
	f     docFields
	share func(field, value string) string // (document)
}

func (d docBuilder) add(path string, at []uint64, value string) {
	if d.share != nil && sharedFields[path] != "" {
		if id := d.share(path, value); id != "" {
			path, value = sharedFields[path], id
		}
	}
	for _, s := range d.f[path] {
		if s.options == index.StoreField {
			d.AddField(&storedField{s.name, folded(s.analyzer, value)})
			continue
		}
		d.AddField(document.NewTextFieldCustom(s.name, at, []byte(value[:cutAt(value, maxFieldBytes)]), s.options, s.analyzer))
	}
}

// addFreeText adds the free text's two fields (wordfield.go), analysed
// value by value by the analyzer of "word" (newDocFields made sure the
// mapping has one of each).
func (d docBuilder) addFreeText(text string) {
	t, w := d.f[textFieldName][0], d.f[wordFieldName][0]
	s := newFreeSplit(text, w.analyzer, t.options, w.options)
	d.AddField(&s.fields[0])
	d.AddField(&s.fields[1])
}

// textFields are the fields a query word without a field searches, the
// free text: the message, the actor's and targets' names and the user
// agent, which are fields of their own, and "text", every other value
// (freeText). Before mapping 13 "text" held every value, and the words of
// the four were indexed twice: a sixth of the index, 8% of an import's
// CPU. A word, phrase or pattern of the free text is now the same query
// over each of them, together (spread). "word" holds the values of one word
// of "text" (wordfield.go); spread asks it too.
var textFields = []string{textFieldName, "message", "actor.name", "targets.name", "user_agent"}

// freeText is the free text's values that no other field of textFields
// holds: who, what, to what, the request id (a term on request is its
// phrase here first, storedfield.go), and every value of the raw record, each
// distinct value once (a record repeats its actor, action and targets, and
// its before and after share most values: the demo's text has a third
// fewer words), the values separated by valueSep. Values that differ only
// in ASCII case are one: their words are the same terms.
func freeText(ev *audit.Event) string {
	var v textValues
	for _, s := range []string{ev.Message, ev.Actor.Name, ev.UserAgent} {
		v.add(s)
	}
	for _, t := range ev.Targets {
		v.add(t.Name)
	}
	mark := len(v.b) // (the values above are the fields'; those below only once more)
	v.max = mark + maxFreeBytes
	for _, s := range []string{ev.Actor.Email, ev.Actor.ID, ev.Action, ev.IP, ev.Request} {
		v.add(s)
	}
	for _, t := range ev.Targets {
		v.add(t.ID)
	}
	eachRawValue(ev.Raw, &v)
	return string(v.b[mark:])
}

// textValues builds a free text of distinct values.
type textValues struct {
	b     []byte
	spans [][2]int // where each value kept lies in b
	start int      // where the value being written starts
	// folded holds the kept values, ASCII lower-cased, once there are many:
	// a hostile record of a million values must not be compared value by
	// value (Go's maps hash with a per-map random seed).
	folded map[string]struct{}
	max    int  // the most bytes b may hold (0: no bound); the value crossing it is cut
	full   bool // at max or maxFreeValues: no more values are kept
}

// hashFrom is how many values are compared one by one before folded (the
// demo's records have at most a few dozen).
const hashFrom = 64

// An event's free text holds at most maxFreeValues distinct values and
// maxFreeBytes bytes of them (the value that crosses it is cut), and each
// field of words indexes at most maxFieldBytes of its value: what lies past
// them is stored and shown, but not searchable as words. Indexing costs
// ~250 bytes a word and ~500 a value while the event's batch is built: a
// record of 1.5 million numbers (11 MB) took 840 MB, one of 30 MB of words
// 1.36 GB, against #6's 600 MB whatever the input. Audit records hold tens
// of values and a few KB; a Kubernetes object, at most ~1.5 MB.
var (
	maxFreeValues = 100_000 // (variables for the tests)
	maxFreeBytes  = 1 << 20
	maxFieldBytes = 64 << 10
)

func (v *textValues) add(s string) {
	v.begin()
	v.b = append(v.b, s...)
	v.end()
}

func (v *textValues) begin() { v.start = len(v.b) }

// end keeps the value written since begin unless it is empty or one
// already kept.
func (v *textValues) end() {
	if v.full || len(v.spans) >= maxFreeValues {
		v.full = true
		v.b = v.b[:v.start]
		return
	}
	if v.max > 0 && len(v.b) > v.max {
		v.full = true
		v.b = v.b[:cutAt(v.b, max(v.max, v.start))]
	}
	val := v.b[v.start:]
	if len(val) == 0 {
		return
	}
	if v.folded != nil {
		key := asciiLower(val)
		if _, ok := v.folded[key]; ok {
			v.b = v.b[:v.start]
			return
		}
		v.folded[key] = struct{}{}
	} else {
		for _, sp := range v.spans {
			if sp[1]-sp[0] == len(val) && asciiFoldEqual(v.b[sp[0]:sp[1]], val) {
				v.b = v.b[:v.start]
				return
			}
		}
	}
	v.spans = append(v.spans, [2]int{v.start, len(v.b)})
	v.b = append(v.b, valueSep)
	if v.folded == nil && len(v.spans) == hashFrom {
		v.folded = make(map[string]struct{}, 4*hashFrom)
		for _, sp := range v.spans {
			v.folded[asciiLower(v.b[sp[0]:sp[1]])] = struct{}{}
		}
	}
}

// cutAt is where to cut b to at most n bytes: n, or before the UTF-8
// character n falls inside.
func cutAt[T string | []byte](b T, n int) int {
	if n >= len(b) {
		return len(b)
	}
	for n > 0 && !utf8.RuneStart(b[n]) {
		n--
	}
	return n
}

// asciiLower is b with its ASCII letters lower-cased: values asciiFoldEqual
// finds equal have the same.
func asciiLower(b []byte) string {
	out := []byte(string(b))
	for i, c := range out {
		if 'A' <= c && c <= 'Z' {
			out[i] = c + 'a' - 'A'
		}
	}
	return string(out)
}

// asciiFoldEqual: a and b are the same bytes but for the case of ASCII
// letters, so the words analyzer gives them the same terms.
func asciiFoldEqual(a, b []byte) bool {
	for i := range a {
		x, y := a[i], b[i]
		if x == y {
			continue
		}
		if x|0x20 != y|0x20 || x|0x20 < 'a' || x|0x20 > 'z' {
			return false
		}
	}
	return true
}

// eachRawValue adds the string and number values of a JSON record to v, or
// the whole record when it is not JSON. Keys, true, false and null are not
// words of the free text (every event would hold "true"); a field that
// holds them is read in the record.
func eachRawValue(raw []byte, v *textValues) {
	t := bytes.TrimLeft(raw, " \t\r\n")
	if len(t) == 0 || (t[0] != '{' && t[0] != '[') {
		v.add(string(raw))
		return
	}
	for i := 0; i < len(t); i++ {
		c := t[i]
		switch {
		case c == '"':
			j := i + 1
			for j < len(t) && t[j] != '"' {
				if t[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(t) {
				return
			}
			k := j + 1
			for k < len(t) && (t[k] == ' ' || t[k] == '\t' || t[k] == '\r' || t[k] == '\n') {
				k++
			}
			if k >= len(t) || t[k] != ':' { // a value, not a key
				v.begin()
				v.b = appendUnescaped(v.b, t[i+1:j])
				v.end()
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9'):
			j := i
			for j < len(t) && strings.IndexByte("+-.eE0123456789", t[j]) >= 0 {
				j++
			}
			v.begin()
			v.b = append(v.b, t[i:j]...)
			v.end()
			i = j - 1
		}
	}
}

// appendUnescaped appends a JSON string body, turning the control escapes
// into spaces and the others into their characters; text search needs
// words, not exact bytes. \uXXXX is its character (a surrogate pair one),
// as a JSON decoder reads it: Python's json.dumps writes every non-ASCII
// letter so, and "caf\u00e9" was indexed as "caf", a word of its own.
func appendUnescaped(b []byte, s []byte) []byte {
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 >= len(s) {
			b = append(b, s[i])
			continue
		}
		i++
		switch s[i] {
		case 'n', 't', 'r', 'b', 'f':
			b = append(b, ' ')
		case 'u':
			r, ok := hex4(s[i+1:])
			if !ok {
				b = append(b, ' ')
				continue
			}
			i += 4
			if utf16.IsSurrogate(r) {
				if i+6 < len(s) && s[i+1] == '\\' && s[i+2] == 'u' {
					if r2, ok := hex4(s[i+3:]); ok && utf16.IsSurrogate(r2) {
						r = utf16.DecodeRune(r, r2)
						i += 6
					}
				}
			}
			if r < 0x20 {
				r = ' '
			}
			b = utf8.AppendRune(b, r) // (a lone surrogate is U+FFFD)
		default:
			b = append(b, s[i])
		}
	}
	return b
}

// hex4 reads the four hex digits of a \u escape.
func hex4(s []byte) (rune, bool) {
	if len(s) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range s[:4] {
		switch {
		case '0' <= c && c <= '9':
			r = r<<4 | rune(c-'0')
		case 'a' <= c && c <= 'f':
			r = r<<4 | rune(c-'a'+10)
		case 'A' <= c && c <= 'F':
			r = r<<4 | rune(c-'A'+10)
		default:
			return 0, false
		}
	}
	return r, true
}
