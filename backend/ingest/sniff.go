package ingest

import (
	"bytes"
	"unicode/utf8"

	"auditlens/backend/ingest/auditd"
)

// kind is what a stream holds, told from its first bytes, never its name.
type kind int

const (
	kindEmpty kind = iota
	kindZip
	kindGzip
	kindTar
	kindJSON
	kindAuditd
	kindCSV
	kindBinary
	kindText // text of no shape we read
)

func (k kind) String() string {
	return [...]string{"empty", "zip", "gzip", "tar", "json", "auditd", "csv", "binary", "text"}[k]
}

func (k kind) container() bool { return k == kindZip || k == kindGzip || k == kindTar }

// sniff tells the kind of a stream from its head (at least 512 bytes when
// the stream has them).
func sniff(head []byte) kind {
	switch {
	case bytes.HasPrefix(head, []byte("PK\x03\x04")), bytes.HasPrefix(head, []byte("PK\x05\x06")):
		return kindZip
	case bytes.HasPrefix(head, []byte{0x1f, 0x8b}):
		return kindGzip
	case len(head) >= 262 && bytes.Equal(head[257:262], []byte("ustar")):
		return kindTar
	}
	text := bytes.TrimPrefix(head, []byte("\xef\xbb\xbf"))
	trimmed := bytes.TrimLeft(text, " \t\r\n")
	if len(trimmed) == 0 {
		return kindEmpty
	}
	if looksBinary(text) {
		return kindBinary
	}
	switch trimmed[0] {
	case '{', '[':
		return kindJSON
	}
	if auditd.Sniff(trimmed) {
		return kindAuditd
	}
	line, _, _ := bytes.Cut(trimmed, []byte{'\n'})
	if bytes.ContainsAny(line, ",\t;|") {
		return kindCSV
	}
	return kindText
}

// looksBinary: a NUL byte, or many bytes that are neither UTF-8 text nor
// ordinary control characters.
func looksBinary(b []byte) bool {
	if bytes.IndexByte(b, 0) >= 0 {
		return true
	}
	bad := 0
	for i := 0; i < len(b); {
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			if len(b)-i < utf8.UTFMax { // a rune cut by the head's end
				break
			}
			bad++
		} else if r < 0x20 && r != '\n' && r != '\r' && r != '\t' && r != 0x1d && r != 0x1b {
			bad++
		}
		i += n
	}
	return bad*10 > len(b)
}
