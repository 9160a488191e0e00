package ingest

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strings"
)

// readCSV streams the rows of a CSV (or TSV/semicolon) file with a header
// row; each row becomes a record keyed by the header. A row with the wrong
// number of fields is rejected with its line; the rows around it are kept.
func readCSV(r io.Reader, emit emitFunc) error {
	tape := &tapeReader{r: r}
	cr := csv.NewReader(tape)
	cr.LazyQuotes = true
	cr.ReuseRecord = false
	head, err := peekLine(tape)
	if err != nil {
		return err
	}
	cr.Comma = sniffDelimiter(head)
	header, err := cr.Read()
	if err != nil {
		return emit(Record{Line: 1, Err: fmt.Errorf("unreadable CSV header: %v", err)})
	}
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
	}
	header = uniqueNames(header)
	salt := []byte(strings.Join(header, "\x1f"))
	cr.FieldsPerRecord = len(header)
	prev := cr.InputOffset()
	tape.discard(prev)
	for {
		row, err := cr.Read()
		end := cr.InputOffset()
		raw := bytes.TrimRight(tape.slice(prev, end), "\r\n")
		line, _ := cr.FieldPos(0)
		prev = end
		if err == io.EOF {
			return nil
		}
		var pe *csv.ParseError
		if err != nil {
			if errors.As(err, &pe) {
				if errors.Is(pe.Err, csv.ErrFieldCount) {
					err = fmt.Errorf("row has %d fields, the header has %d", len(row), len(header))
				} else {
					err = pe.Err
				}
				line = pe.StartLine
			}
			if e := emit(Record{Raw: raw, Line: line, Err: err}); e != nil {
				return e
			}
			tape.discard(end)
			continue
		}
		f := make(Fields, len(header))
		for i, h := range header {
			f[h] = row[i]
		}
		if e := emit(Record{Raw: raw, Line: line, Fields: f, Salt: salt}); e != nil {
			return e
		}
		tape.discard(end)
	}
}

func sniffDelimiter(line []byte) rune {
	best, n := ',', bytes.Count(line, []byte{','})
	for _, d := range []rune{'\t', ';', '|'} {
		if c := bytes.Count(line, []byte(string(d))); c > n {
			best, n = d, c
		}
	}
	return best
}

func uniqueNames(names []string) []string {
	seen := map[string]int{}
	for i, n := range names {
		if n == "" {
			n = fmt.Sprintf("column%d", i+1)
		}
		seen[n]++
		if seen[n] > 1 {
			n = fmt.Sprintf("%s_%d", n, seen[n])
		}
		names[i] = n
	}
	return names
}

// tapeReader remembers the bytes read since the last discard, so a record's
// raw bytes can be cut out by the offsets csv.Reader reports.
type tapeReader struct {
	r    io.Reader
	base int64 // offset of buf[0]
	buf  []byte
}

func (t *tapeReader) Read(p []byte) (int, error) {
	n, err := t.r.Read(p)
	t.buf = append(t.buf, p[:n]...)
	return n, err
}

func (t *tapeReader) slice(from, to int64) []byte {
	a, b := from-t.base, to-t.base
	if a < 0 || b > int64(len(t.buf)) || a > b {
		return nil
	}
	return append([]byte(nil), t.buf[a:b]...)
}

func (t *tapeReader) discard(upTo int64) {
	k := upTo - t.base
	if k <= 0 {
		return
	}
	if k > int64(len(t.buf)) {
		k = int64(len(t.buf))
	}
	t.buf = append(t.buf[:0], t.buf[k:]...)
	t.base += k
}

// peekLine reads ahead to the first newline without losing the bytes.
func peekLine(t *tapeReader) ([]byte, error) {
	tmp := make([]byte, 4096)
	for !bytes.Contains(t.buf, []byte{'\n'}) && len(t.buf) < 1<<20 {
		n, err := t.r.Read(tmp)
		t.buf = append(t.buf, tmp[:n]...)
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	line, _, _ := bytes.Cut(t.buf, []byte{'\n'})
	// replay the peeked bytes to csv.Reader
	t.r = io.MultiReader(bytes.NewReader(append([]byte(nil), t.buf...)), t.r)
	t.buf = t.buf[:0]
	return line, nil
}
