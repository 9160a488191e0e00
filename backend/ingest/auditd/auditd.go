// Package auditd reads Linux audit logs (/var/log/audit/audit.log, raw and
// log_format=ENRICHED, plus AUOMS/syslog-forwarded lines) and turns them into
// one flat map per audit event: records sharing msg=audit(EPOCH:SERIAL) are
// joined.
//
// Field shape of one event (values are strings unless said otherwise):
//
//	type        type of the event's first record ("SYSCALL", "USER_LOGIN")
//	types       []any of all record types, in order
//	time        epoch stamp as written ("1481076992.414")
//	serial      "385"
//	<key>       every key=value of every record, first occurrence wins; the
//	            inner msg='op=... res=success' of user-space records is
//	            unpacked (no "msg" key); quotes removed; hex values decoded
//	<UPPER>     ENRICHED interpreted fields (UID="root" -> "UID": "root")
//	records     []any of per-record maps {"type": ..., own pairs}
//	auid_unset  "true" when auid is 4294967295 or -1 (absent otherwise)
package auditd

import (
	"bufio"
	"bytes"
	"errors"
	"io"
)

// Limits that keep Read's memory bounded.
const (
	window        = 64        // open events held at most; the oldest is flushed beyond
	maxLine       = 256 << 10 // longer lines are reported as errors (raw truncated)
	maxEventBytes = 1 << 20   // an event is closed once its raw text reaches this
	maxEventRecs  = 4096      // ... or once it has this many records
)

var errLineTooLong = errors.New("line longer than 256 KiB, not parsed")

// Read streams every audit event of r to emit, in file order. raw is the
// original bytes of the event's lines joined with "\n" (line terminators "\n"
// or "\r\n" removed, no trailing newline), line the 1-based line number of its
// first line. A line that is not an audit record is passed to emit with
// fields == nil and err explaining it, and reading goes on; blank lines are
// skipped silently. Returning an error from emit stops Read with that error.
//
// Records of one event need not be adjacent: an event stays open until an EOE
// record closes it or more than 64 events are open (then the oldest is
// flushed); everything left is flushed at the end of input. Emission follows
// the position of each event's first line.
func Read(r io.Reader, emit func(raw []byte, line int, fields map[string]any, err error) error) error {
	a := assembler{open: map[string]*pending{}, emit: emit}
	br := bufio.NewReaderSize(r, 64<<10)
	var buf []byte
	lineNo := 0
	for {
		var n int
		var tooLong bool
		var rerr error
		buf, n, tooLong, rerr = readLine(br, buf[:0])
		if n > 0 {
			lineNo++
			if err := a.add(trimEOL(buf), lineNo, tooLong); err != nil {
				return err
			}
		}
		if rerr != nil {
			if err := a.flush(true); err != nil {
				return err
			}
			if rerr == io.EOF {
				return nil
			}
			return rerr
		}
	}
}

// ParseLine parses a single audit record line ("type=X msg=audit(...): k=v ..."
// or, as AUOMS and syslog forwarders write it, "type=X audit(...): k=v ...")
// into the same field shape as one event of Read.
func ParseLine(line string) (map[string]any, error) {
	rec, err := parseRecord(line)
	if err != nil {
		return nil, err
	}
	return buildEvent([]*record{rec}), nil
}

// Sniff reports whether the first bytes of a file look like an audit log: the
// first non-empty line starts with "type=" (optionally after auditd's
// "node=NAME ") and contains "audit(".
func Sniff(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte("\xef\xbb\xbf")) // UTF-8 BOM
	for len(head) > 0 {
		var line []byte
		line, head, _ = bytes.Cut(head, []byte("\n"))
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		if bytes.HasPrefix(line, []byte("node=")) {
			if i := bytes.IndexByte(line, ' '); i > 0 {
				line = bytes.TrimLeft(line[i:], " ")
			}
		}
		return bytes.HasPrefix(line, []byte("type=")) && bytes.Contains(line, []byte("audit("))
	}
	return false
}

// pending is an event (or a bad line) waiting to be emitted.
type pending struct {
	key  string // "EPOCH:SERIAL"; empty for a bad line
	line int
	raw  []byte
	recs []*record
	err  error
	done bool // no more records will join (EOE seen, size cap, bad line)
}

// assembler joins records into events and emits them in first-line order.
type assembler struct {
	queue []*pending          // in order of first line; at most window+1 long
	open  map[string]*pending // events that still accept records
	emit  func([]byte, int, map[string]any, error) error
}

// add handles one line (terminator removed).
func (a *assembler) add(line []byte, lineNo int, tooLong bool) error {
	if len(bytes.TrimSpace(line)) == 0 && !tooLong {
		return nil
	}
	var rec *record
	err := errLineTooLong
	if !tooLong {
		rec, err = parseRecord(string(line))
	}
	if err != nil {
		a.queue = append(a.queue, &pending{line: lineNo, raw: bytes.Clone(line), err: err, done: true})
		return a.flush(false)
	}
	key := rec.time + ":" + rec.serial
	p := a.open[key]
	if p == nil {
		p = &pending{key: key, line: lineNo}
		a.open[key] = p
		a.queue = append(a.queue, p)
	} else {
		p.raw = append(p.raw, '\n')
	}
	p.raw = append(p.raw, line...)
	p.recs = append(p.recs, rec)
	if rec.typ == "EOE" || len(p.raw) >= maxEventBytes || len(p.recs) >= maxEventRecs {
		p.done = true
		delete(a.open, key) // later records with this stamp start a new event
	}
	return a.flush(false)
}

// flush emits finished events from the head of the queue, and the oldest
// ones while too many are open; all of them when all is set.
func (a *assembler) flush(all bool) error {
	for len(a.queue) > 0 {
		p := a.queue[0]
		if !all && !p.done && len(a.queue) <= window {
			return nil
		}
		a.queue[0] = nil
		a.queue = a.queue[1:]
		if a.open[p.key] == p {
			delete(a.open, p.key)
		}
		var fields map[string]any
		if p.err == nil {
			fields = buildEvent(p.recs)
		}
		if err := a.emit(p.raw, p.line, fields, p.err); err != nil {
			return err
		}
	}
	return nil
}

// buildEvent merges the records of one event into the flat field map.
func buildEvent(recs []*record) map[string]any {
	first := recs[0]
	types := make([]any, 0, len(recs))
	records := make([]any, 0, len(recs))
	m := map[string]any{"type": first.typ, "time": first.time, "serial": first.serial}
	for _, r := range recs {
		types = append(types, r.typ)
		rm := make(map[string]any, len(r.pairs)+1)
		rm["type"] = r.typ
		for _, p := range r.pairs {
			rm[p.k] = p.v
		}
		records = append(records, rm)
	}
	m["types"], m["records"] = types, records
	for _, r := range recs {
		for _, p := range r.pairs {
			if _, ok := m[p.k]; !ok {
				m[p.k] = p.v
			}
		}
	}
	if auid, _ := m["auid"].(string); auid == "4294967295" || auid == "-1" {
		m["auid_unset"] = "true"
	}
	return m
}

// readLine appends the next line (with its terminator) to buf, keeping at
// most maxLine bytes. n is the number of bytes consumed (0 at end of input).
func readLine(br *bufio.Reader, buf []byte) (out []byte, n int, tooLong bool, err error) {
	for {
		chunk, err := br.ReadSlice('\n')
		n += len(chunk)
		if room := maxLine + 2 - len(buf); len(chunk) > room {
			chunk, tooLong = chunk[:max(room, 0)], true
		}
		buf = append(buf, chunk...)
		if err != bufio.ErrBufferFull {
			return buf, n, tooLong, err
		}
	}
}

// trimEOL removes a trailing "\n" or "\r\n".
func trimEOL(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
