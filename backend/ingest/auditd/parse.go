package auditd

// This file parses one audit record line into a record: its type, stamp and
// ordered key=value pairs. Read joins records into events; ParseLine turns a
// single record into an event map.

import (
	"encoding/hex"
	"errors"
	"strings"
	"unicode/utf8"
)

// Errors reported for lines that are not audit records.
var (
	errNoType  = errors.New("not an audit record: line does not start with type=")
	errNoStamp = errors.New("no msg=audit(...) stamp")
	errStamp   = errors.New("malformed msg=audit(EPOCH:SERIAL) stamp")
	errEmpty   = errors.New("empty line")
)

// gs (ASCII group separator) starts the interpreted fields of log_format=ENRICHED.
const gs = "\x1d"

// kv is one key=value pair of a record, in the order written.
type kv struct{ k, v string }

// record is one parsed audit record (one line).
type record struct {
	typ, time, serial string
	pairs             []kv
	seen              map[string]bool
}

// add appends a pair unless the record already has that key (first wins).
func (r *record) add(k, v string) {
	if k == "type" || r.seen[k] {
		return
	}
	if r.seen == nil {
		r.seen = map[string]bool{}
	}
	r.seen[k] = true
	r.pairs = append(r.pairs, kv{k, v})
}

// parseRecord parses "[node=N ]type=T msg=audit(EPOCH:SERIAL): k=v ..." and the
// AUOMS/syslog variant without "msg=" ("type=T audit(EPOCH:SERIAL): k=v ...").
func parseRecord(line string) (*record, error) {
	s := strings.TrimSpace(line)
	if s == "" {
		return nil, errEmpty
	}
	var node string
	if strings.HasPrefix(s, "node=") { // auditd with name_format set
		i := strings.IndexAny(s, " \t")
		if i < 0 {
			return nil, errNoType
		}
		node, s = s[len("node="):i], strings.TrimLeft(s[i:], " \t")
	}
	if !strings.HasPrefix(s, "type=") {
		return nil, errNoType
	}
	s = s[len("type="):]
	i := strings.IndexAny(s, " \t")
	if i <= 0 {
		return nil, errNoStamp
	}
	rec := &record{typ: validUTF8(s[:i])}
	s = strings.TrimLeft(s[i:], " \t")
	s = strings.TrimPrefix(s, "msg=")
	if !strings.HasPrefix(s, "audit(") {
		return nil, errNoStamp
	}
	s = s[len("audit("):]
	end := strings.IndexByte(s, ')')
	if end < 0 {
		return nil, errStamp
	}
	t, serial, ok := strings.Cut(s[:end], ":")
	if !ok || !isEpoch(t) || !isDigits(serial) {
		return nil, errStamp
	}
	rec.time, rec.serial = t, serial
	s = strings.TrimPrefix(s[end+1:], ":")

	if node != "" {
		rec.add("node", validUTF8(node))
	}
	body, enriched, _ := strings.Cut(s, gs)
	for _, p := range tokenize(body) {
		if p.k == "msg" && p.quote == '\'' {
			// user-space records: msg='op=... acct=... res=success' is unpacked.
			for _, q := range tokenize(p.v) {
				rec.add(q.k, decodeValue(rec.typ, q))
			}
			continue
		}
		rec.add(p.k, decodeValue(rec.typ, p))
	}
	// ENRICHED: interpreted fields after GS, e.g. UID="root" AUID="unset".
	// A second GS (not written by auditd) is treated as a separator too.
	enriched = strings.ReplaceAll(enriched, gs, " ")
	for _, p := range tokenize(enriched) {
		rec.add(strings.ToUpper(p.k), validUTF8(p.v))
	}
	return rec, nil
}

// token is a key=value pair as written; quote is the quote or bracket that
// delimited the value (0 when the value was bare).
type token struct {
	k, v  string
	quote byte
	start int // offset of a bare value in the tokenized string
}

// tokenize splits "k=v k2="v 2" k3='...'" into pairs. Words without a valid
// key are free text ("auditd start,", "tty"): after a bare value they continue
// it (AUOMS writes proctitle=/usr/bin/dpkg -S /bin/bash unquoted), otherwise
// they are dropped. A closing quote must be followed by a blank or the end,
// so AUOMS's unescaped cmdline="bash -c "..."" keeps its inner quotes.
// Work is linear in len(s) whatever the input.
func tokenize(s string) []token {
	var out []token
	var sc scanner
	i := 0
	for {
		for i < len(s) && isBlank(s[i]) {
			i++
		}
		if i >= len(s) {
			return out
		}
		start := i
		for i < len(s) && !isBlank(s[i]) && s[i] != '=' {
			i++
		}
		if i >= len(s) || s[i] != '=' || !validKey(s[start:i]) {
			for i < len(s) && !isBlank(s[i]) {
				i++
			}
			if n := len(out); n > 0 && out[n-1].quote == 0 {
				out[n-1].v = s[out[n-1].start:i] // blanks kept as written
			}
			continue
		}
		key := s[start:i]
		i++ // '='
		valStart := i
		val, q, next := sc.value(s, i)
		out = append(out, token{k: key, v: val, quote: q, start: valStart})
		i = next
	}
}

// scanner remembers which bracket closers are absent from the rest of the
// string, so that many unclosed '[' or '{' do not rescan it each time.
type scanner struct{ noClose [2]bool }

// value reads the value starting at s[i] and returns it, its delimiter
// (quote char, '[' / '{', or 0) and the index after it.
func (sc *scanner) value(s string, i int) (string, byte, int) {
	if i < len(s) {
		switch c := s[i]; c {
		case '"', '\'':
			for j := i + 1; j < len(s); j++ {
				if s[j] == c && (j+1 == len(s) || isBlank(s[j+1])) {
					return s[i+1 : j], c, j + 1
				}
			}
			return s[i+1:], c, len(s) // unterminated: take the rest
		case '[', '{':
			// AUOMS arrays path_name=["a","b"], ENRICHED SADDR={ fam=inet ... }
			closer, slot := byte(']'), 0
			if c == '{' {
				closer, slot = '}', 1
			}
			for j := i + 1; j < len(s) && !sc.noClose[slot]; j++ {
				if s[j] == closer && (j+1 == len(s) || isBlank(s[j+1])) {
					return s[i : j+1], c, j + 1
				}
			}
			sc.noClose[slot] = true
		}
	}
	j := i
	for j < len(s) && !isBlank(s[j]) {
		j++
	}
	return s[i:j], 0, j
}

// hexKeys are the fields auditd writes as bare uppercase hex when the value
// holds blanks, quotes or control characters. saddr is deliberately absent.
var hexKeys = map[string]bool{
	"exe": true, "comm": true, "cmd": true, "proctitle": true, "data": true,
	"cwd": true, "name": true, "acct": true, "path": true, "key": true,
}

// decodeValue hex-decodes bare values of hexKeys (and EXECVE arguments a0,
// a1[2], ...) and makes the result valid UTF-8.
func decodeValue(recType string, t token) string {
	v := t.v
	if t.quote == 0 && isHex(v) && (hexKeys[t.k] || (recType == "EXECVE" && isArgKey(t.k))) {
		if b, err := hex.DecodeString(v); err == nil {
			if t.k == "proctitle" { // argv is NUL separated
				b = []byte(strings.ReplaceAll(strings.TrimRight(string(b), "\x00"), "\x00", " "))
			}
			v = string(b)
		}
	}
	return validUTF8(v)
}

// isArgKey matches EXECVE argument keys: a0, a12, a1[3].
func isArgKey(k string) bool {
	if len(k) < 2 || k[0] != 'a' {
		return false
	}
	k = k[1:]
	if i := strings.IndexByte(k, '['); i >= 0 {
		if !strings.HasSuffix(k, "]") || !isDigits(k[i+1:len(k)-1]) {
			return false
		}
		k = k[:i]
	}
	return isDigits(k)
}

// isHex: non-empty, even length, only 0-9 A-F (auditd writes uppercase).
func isHex(s string) bool {
	if s == "" || len(s)%2 != 0 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !(c >= '0' && c <= '9' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return true
}

// validKey: a letter or '_' then letters, digits, '_', '-', '[', ']'
// (old-auid, a1[0], OLD-AUID, SchemaVersion).
func validKey(k string) bool {
	if k == "" {
		return false
	}
	for i := 0; i < len(k); i++ {
		c := k[i]
		letter := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_'
		if i == 0 && !letter {
			return false
		}
		if !letter && !(c >= '0' && c <= '9') && c != '-' && c != '[' && c != ']' {
			return false
		}
	}
	return true
}

// isEpoch matches "1481076992.414" (digits, optionally '.' and digits).
func isEpoch(s string) bool {
	sec, frac, dot := strings.Cut(s, ".")
	return isDigits(sec) && (!dot || isDigits(frac))
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func isBlank(c byte) bool { return c == ' ' || c == '\t' }

// validUTF8 replaces each invalid byte with U+FFFD; control characters stay.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		b.WriteRune(r) // RuneError for an invalid byte (n == 1)
		i += n
	}
	return b.String()
}
