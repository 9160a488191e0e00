package ingest

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
)

// wrapperKeys are the keys under which exports wrap their array of records:
// {"Records": [...]} (CloudTrail), {"value": [...]} (Azure, Graph), ...
var wrapperKeys = map[string]bool{
	"Records": true, "records": true, "value": true, "items": true, "entries": true,
	"data": true, "events": true, "logs": true,
}

// eventKeys are keys that mark an object as an event itself rather than a
// wrapper: Google Workspace activities carry an "events" array of their own.
var eventKeys = map[string]bool{
	"id": true, "actor": true, "time": true, "timestamp": true, "@timestamp": true,
	"eventTime": true, "published": true, "created_at": true, "action": true,
	"eventName": true, "user": true,
}

var errTruncated = errors.New("truncated JSON record")

// maxRecordBytes caps one record: a larger one is skipped with an error, so
// a hostile 1 GB line costs no more memory than this.
var maxRecordBytes = 32 << 20

// jsonSplitter cuts a byte stream into top-level JSON records without
// decoding them: a JSON array, objects one after another (NDJSON, CRLF,
// pretty-printed), or a wrapper object holding an array of records. It keeps
// each record's bytes as they were, and resynchronises after a broken one.
type jsonSplitter struct {
	br      *bufio.Reader
	line    int  // line of the next byte
	col0    bool // the next byte starts a line
	capture bool
	tooBig  bool // the record being read passed maxRecordBytes
	buf     []byte
	emit    emitFunc
	// decoded is a line wholeLine decoded and left to object() (it has a
	// wrapper's key): emitRaw takes its fields when the record it emits is
	// those bytes, rather than decode them again.
	decoded Record
}

// readJSON streams every record of r to emit.
func readJSON(r io.Reader, emit emitFunc) error {
	s := &jsonSplitter{br: bufio.NewReaderSize(r, 256<<10), line: 1, col0: true, emit: emit}
	return s.run()
}

func (s *jsonSplitter) next() (byte, error) {
	c, err := s.br.ReadByte()
	if err != nil {
		return 0, err
	}
	if s.capture {
		s.keep([]byte{c})
	}
	s.col0 = c == '\n'
	if c == '\n' {
		s.line++
	}
	return c, nil
}

func (s *jsonSplitter) peek() (byte, error) {
	b, err := s.br.Peek(1)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

// skipSpace consumes white space (and a UTF-8 byte order mark).
func (s *jsonSplitter) skipSpace() error {
	for {
		c, err := s.peek()
		if err != nil {
			return err
		}
		switch c {
		case ' ', '\t', '\r', '\n':
			s.next()
		case 0xEF:
			b, _ := s.br.Peek(3)
			if !bytes.Equal(b, []byte{0xEF, 0xBB, 0xBF}) {
				return nil
			}
			s.br.Discard(3)
		default:
			return nil
		}
	}
}

func (s *jsonSplitter) run() error {
	if err := s.skipSpace(); err != nil {
		return eofOK(err)
	}
	c, _ := s.peek()
	if c == '[' {
		s.next()
		return s.array(s.line)
	}
	for {
		if err := s.skipSpace(); err != nil {
			return eofOK(err)
		}
		c, _ := s.peek()
		if c != '{' {
			if err := s.badLine("not a JSON record"); err != nil {
				return err
			}
			continue
		}
		if wholeLines {
			if ok, err := s.wholeLine(); err != nil {
				return err
			} else if ok {
				continue
			}
		}
		if err := s.object(); err != nil {
			return err
		}
	}
}

// wholeLines lets wholeLine take a line whole (the tests turn it off to
// compare with the byte-by-byte reading).
var wholeLines = true

// wholeLine emits the record that is the rest of the buffered line when it
// is one JSON object alone, as NDJSON's lines are: ok is false, nothing
// read, when it is not one, when its end is not buffered, or when it has a
// key a wrapper's array may be under, and object() then reads it byte by
// byte (keeping what this decoded: decoded), as every record was: its bytes, line, fields and errors are the
// same either way (the object ends where the line does, as Unmarshal
// rejects anything after it but space). A demo-shaped record is read and
// decoded so in 2.6 µs instead of 5.0 (`go test ./backend/ingest -bench
// SplitJSON`), ~2.4 s of a 1M import's CPU.
func (s *jsonSplitter) wholeLine() (bool, error) {
	chunk, err := s.window()
	if err != nil {
		return false, nil
	}
	end := bytes.IndexByte(chunk, '\n')
	if end < 0 {
		return false, nil
	}
	raw := bytes.TrimRight(chunk[:end], " \t\r")
	if len(raw) < 2 || raw[len(raw)-1] != '}' || len(raw) > maxRecordBytes {
		return false, nil
	}
	raw = bytes.Clone(raw)
	fields, err := decodeObject(raw)
	if err != nil {
		return false, nil
	}
	for k := range fields {
		if wrapperKeys[k] {
			s.decoded = Record{Raw: raw, Fields: fields}
			return false, nil
		}
	}
	line := s.line
	s.br.Discard(end + 1)
	s.line++
	s.col0 = true
	return true, s.emit(Record{Raw: raw, Line: line, Fields: fields})
}

// array emits each element of a top-level (or wrapped) array; the '[' is read.
func (s *jsonSplitter) array(start int) error {
	for {
		if err := s.skipSpace(); err != nil {
			return s.emitErr(start, fmt.Errorf("array opened here is never closed"))
		}
		c, _ := s.peek()
		if c == ']' {
			s.next()
			return nil
		}
		line := s.line
		s.buf, s.capture, s.tooBig = s.buf[:0], true, false
		err := s.value(false)
		s.capture = false
		if err != nil {
			if e := s.emitErr(line, errTruncated); e != nil {
				return e
			}
			s.skipSpace()
			if c, perr := s.peek(); perr == nil && c == '{' && s.col0 {
				continue // the next element starts on a line of its own: go on with it
			}
			return nil
		}
		if err := s.emitRaw(line); err != nil {
			return err
		}
		if err := s.skipSpace(); err != nil {
			return s.emitErr(start, fmt.Errorf("array opened here is never closed"))
		}
		c, _ = s.next()
		switch c {
		case ',':
		case ']':
			return nil
		default:
			return s.emitErr(s.line, fmt.Errorf("expected ',' or ']' between records, found %q", c))
		}
	}
}

// object reads one top-level object: a record, or a wrapper whose array
// elements are the records.
func (s *jsonSplitter) object() error {
	line := s.line
	s.buf, s.capture, s.tooBig = s.buf[:0], true, false
	s.next() // '{'
	eventish := false
	for {
		if err := s.skipSpace(); err != nil {
			return s.emitErr(line, errTruncated)
		}
		if c, _ := s.peek(); c == '{' && s.col0 {
			s.capture = false // a new record begins: this one was cut short
			return s.emitErr(line, errTruncated)
		}
		c, _ := s.next()
		if c == '}' {
			break
		}
		if c == ',' {
			continue
		}
		if c != '"' {
			return s.recoverFrom(line, fmt.Errorf("expected a key, found %q", c))
		}
		key, err := s.stringBody()
		if err != nil {
			return s.recoverFrom(line, err)
		}
		if err := s.skipSpace(); err != nil {
			return s.emitErr(line, errTruncated)
		}
		if c, _ := s.next(); c != ':' {
			return s.recoverFrom(line, fmt.Errorf("expected ':' after key %q", key))
		}
		if err := s.skipSpace(); err != nil {
			return s.emitErr(line, errTruncated)
		}
		if eventKeys[key] {
			eventish = true
		}
		if wrapperKeys[key] && !eventish {
			if c, _ := s.peek(); c == '[' {
				s.next()
				if err := s.skipSpace(); err == nil {
					if c, _ := s.peek(); c == '{' || c == ']' {
						// A wrapper: its elements are the records; the rest is skipped.
						s.capture = false
						if err := s.array(s.line); err != nil {
							return err
						}
						return s.skipRest(line)
					}
				}
				if err := s.value(true); err != nil { // the rest of this non-record array
					return s.recoverFrom(line, err)
				}
				continue
			}
		}
		if err := s.value(false); err != nil {
			return s.recoverFrom(line, err)
		}
	}
	s.capture = false
	return s.emitRaw(line)
}

// skipRest consumes the remainder of a wrapper object after its records.
func (s *jsonSplitter) skipRest(line int) error {
	depth := 1
	for depth > 0 {
		if err := s.skipSpace(); err != nil {
			return nil // a wrapper missing its last '}' loses nothing
		}
		c, _ := s.next()
		switch c {
		case '}':
			depth--
		case '"':
			if _, err := s.stringBody(); err != nil {
				return nil
			}
		case '{', '[':
			if err := s.value(true); err != nil {
				return nil
			}
		}
	}
	return nil
}

// value reads one JSON value (the opening byte already read when opened).
func (s *jsonSplitter) value(opened bool) error {
	depth := 0
	if opened {
		depth = 1
	}
	for {
		if depth > 0 {
			// Skip in bulk to the next byte that matters.
			chunk, err := s.window()
			if err != nil {
				return errTruncated
			}
			i := 0
			for i < len(chunk) && !structural[chunk[i]] {
				i++
			}
			if i > 0 {
				if s.capture {
					s.keep(chunk[:i])
				}
				s.col0 = false
				s.br.Discard(i)
				continue
			}
		}
		c, err := s.peek()
		if err != nil {
			return errTruncated
		}
		if depth > 0 && s.col0 && c == '{' {
			// A line that starts a new object inside an unfinished one: the
			// record before it was cut short (a truncated NDJSON line).
			return errTruncated
		}
		s.next()
		switch c {
		case '"':
			if _, err := s.stringBody(); err != nil {
				return err
			}
		case '{', '[':
			depth++
		case '}', ']':
			depth--
		default:
			if depth == 0 && !isSpace(c) {
				// a scalar: read to its end
				for {
					c, err := s.peek()
					if err != nil || isDelim(c) {
						return nil
					}
					s.next()
				}
			}
		}
		if depth <= 0 {
			return nil
		}
	}
}

// structural marks the bytes value() must look at one by one.
var structural = func() (t [256]bool) {
	for _, c := range []byte("\"{}[]\n") {
		t[c] = true
	}
	return
}()

// stringBody reads a string after its opening quote and returns it (raw,
// with escapes). It scans the buffered bytes in bulk, not byte by byte.
func (s *jsonSplitter) stringBody() (string, error) {
	start := len(s.buf)
	var key []byte
	for {
		chunk, err := s.window()
		if err != nil {
			return "", errTruncated
		}
		i := 0
		for i < len(chunk) && chunk[i] != '"' && chunk[i] != '\\' && chunk[i] != '\n' {
			i++
		}
		if s.capture {
			s.keep(chunk[:i])
		} else {
			key = append(key, chunk[:i]...)
		}
		s.col0 = s.col0 && i == 0
		s.br.Discard(i)
		if i == len(chunk) {
			continue
		}
		switch chunk[i] {
		case '\n':
			return "", errTruncated // a raw newline never occurs inside a JSON string
		case '\\':
			s.next()
			c, err := s.next()
			if err != nil {
				return "", errTruncated
			}
			if !s.capture {
				key = append(key, '\\', c)
			}
		case '"':
			s.next()
			if s.capture {
				return string(s.buf[start : len(s.buf)-1]), nil
			}
			return string(key), nil
		}
	}
}

// window returns the bytes buffered now (filling the buffer when empty);
// they stay unread until discarded.
func (s *jsonSplitter) window() ([]byte, error) {
	if s.br.Buffered() == 0 {
		if _, err := s.br.Peek(1); err != nil {
			return nil, err
		}
	}
	return s.br.Peek(s.br.Buffered())
}

// recoverFrom rejects the record that began at line and resumes at the next line.
func (s *jsonSplitter) recoverFrom(line int, cause error) error {
	s.capture = false
	if err := s.emitErr(line, cause); err != nil {
		return err
	}
	if !s.col0 {
		for {
			c, err := s.next()
			if err != nil || c == '\n' {
				break
			}
		}
	}
	return nil
}

// badLine rejects the rest of the current line.
func (s *jsonSplitter) badLine(reason string) error {
	line := s.line
	for {
		c, err := s.next()
		if err != nil || c == '\n' {
			break
		}
	}
	return s.emitErr(line, errors.New(reason))
}

// keep adds bytes to the record being read, or, past maxRecordBytes,
// drops it and marks it too big.
func (s *jsonSplitter) keep(b []byte) {
	if len(s.buf)+len(b) > maxRecordBytes {
		s.capture, s.tooBig, s.buf = false, true, s.buf[:0]
		return
	}
	s.buf = append(s.buf, b...)
}

func (s *jsonSplitter) emitRaw(line int) error {
	if s.tooBig {
		s.tooBig = false
		return s.emitErr(line, fmt.Errorf("record larger than %d MiB: skipped", maxRecordBytes>>20))
	}
	if known := s.decoded; known.Raw != nil {
		s.decoded = Record{}
		if bytes.Equal(known.Raw, s.buf) {
			known.Line = line
			return s.emit(known)
		}
	}
	raw := make([]byte, len(s.buf))
	copy(raw, s.buf)
	fields, err := decodeObject(raw)
	if err != nil {
		return s.emit(Record{Raw: raw, Line: line, Err: err})
	}
	return s.emit(Record{Raw: raw, Line: line, Fields: fields})
}

func (s *jsonSplitter) emitErr(line int, err error) error {
	return s.emit(Record{Line: line, Err: err})
}

func isSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func isDelim(c byte) bool {
	return isSpace(c) || c == ',' || c == ']' || c == '}' || c == '{' || c == '['
}

func eofOK(err error) error {
	if err == io.EOF {
		return nil
	}
	return err
}
