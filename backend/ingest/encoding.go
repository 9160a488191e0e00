package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"

	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// utf16Reader turns a UTF-16 stream with a byte order mark (as Windows
// tools, PowerShell's Out-File among them, write exports) into UTF-8.
func utf16Reader(br *bufio.Reader) (*bufio.Reader, bool) {
	head, _ := br.Peek(2)
	var order unicode.Endianness
	switch {
	case bytes.Equal(head, []byte{0xFF, 0xFE}):
		order = unicode.LittleEndian
	case bytes.Equal(head, []byte{0xFE, 0xFF}):
		order = unicode.BigEndian
	default:
		return br, false
	}
	dec := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder()
	return bufio.NewReaderSize(transform.NewReader(br, dec), 64<<10), true
}

var errLineTooLong = errors.New("a line is longer than the record limit")

// lineCap fails a stream whose lines grow past max bytes, for readers (CSV)
// that would otherwise hold a whole line, however long, in memory.
type lineCap struct {
	r    io.Reader
	max  int
	line int
}

func (l *lineCap) Read(p []byte) (int, error) {
	n, err := l.r.Read(p)
	for _, c := range p[:n] {
		if c == '\n' {
			l.line = 0
			continue
		}
		l.line++
		if l.line > l.max {
			return n, fmt.Errorf("%w (%d MiB): not read further", errLineTooLong, l.max>>20)
		}
	}
	return n, err
}
