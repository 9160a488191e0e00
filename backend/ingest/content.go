package ingest

import (
	"bufio"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"
	"strings"

	"auditlens/backend/audit"
	"auditlens/backend/ingest/auditd"
)

// content reads the records of one text stream and hands each mapped event
// to the handler; bad records are rejected with their line and reason.
func (im *importer) content(src *audit.Source, br *bufio.Reader, k kind) error {
	st := &sourceState{im: im, src: src, counts: map[string]int{}}
	var err error
	switch k {
	case kindEmpty:
		reject(src, 0, "empty file: no records")
	case kindBinary:
		reject(src, 0, "binary file: not a text audit export")
	case kindText:
		line, _ := br.Peek(80)
		first, _, _ := strings.Cut(string(line), "\n")
		reject(src, 1, fmt.Sprintf("not a format auditlens reads (first line: %q)", strings.TrimSpace(first)))
	case kindJSON:
		err = readJSON(br, st.record)
	case kindCSV:
		err = readCSV(&lineCap{r: br, max: maxRecordBytes}, st.record)
	case kindAuditd:
		err = auditd.Read(br, func(raw []byte, line int, f map[string]any, e error) error {
			return st.record(Record{Raw: raw, Line: line, Fields: f, Err: e})
		})
	}
	st.finish()
	return err
}

// sourceState follows one source: its current format and what was read.
type sourceState struct {
	im      *importer
	src     *audit.Source
	current *Format
	counts  map[string]int
}

func (st *sourceState) record(rec Record) error {
	if rec.Err != nil {
		if stop := st.im.stopped(); stop != nil {
			// The import was stopped mid-record: the record was cut by the
			// stop, not broken in the file (the import after reads it whole).
			return stop
		}
		reject(st.src, rec.Line, rec.Err.Error())
		return nil
	}
	fields := unwrapRaw(rec.Fields)
	fm := st.format(fields)
	ev := &audit.Event{}
	if err := fm.mapRecord(fields, ev); err != nil {
		reject(st.src, rec.Line, err.Error())
		return nil
	}
	st.counts[fm.Name]++
	if fm == generic {
		st.src.Fallback++
	}
	ev.ID = eventID(rec.Salt, rec.Raw)
	ev.Raw = rec.Raw
	sum := sha256.Sum256(rec.Raw)
	ev.RawSHA256 = hex.EncodeToString(sum[:])
	if err := st.im.h.Event(st.src, ev); err != nil {
		return &handlerError{err}
	}
	return nil
}

// format picks the format of a record: the forced one, else the one of the
// record before when it still fits, else the first that detects it.
func (st *sourceState) format(f Fields) *Format {
	if st.im.forced != nil {
		return st.im.forced
	}
	if st.current != nil && st.current != generic && st.current.Detect(f) {
		return st.current
	}
	st.current = nil
	for _, m := range st.im.opts.Mappings {
		if m.Detect(f) {
			st.current = m
			break
		}
	}
	if st.current == nil {
		st.current = detect(f)
	}
	return st.current
}

// finish names the source's format: the one most of its events had.
func (st *sourceState) finish() {
	if len(st.counts) == 0 {
		if st.src.Format == "" {
			st.src.Format = "none"
		}
		return
	}
	names := make([]string, 0, len(st.counts))
	for n := range st.counts {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if st.counts[names[i]] != st.counts[names[j]] {
			return st.counts[names[i]] > st.counts[names[j]]
		}
		return names[i] < names[j]
	})
	st.src.Format = names[0]
}

// unwrapRaw opens forwarder wrappers that hold the vendor's record as a JSON
// string ({"_raw": "{...}", "_time": 1700000000.5, "host": ...}, as Splunk
// and Cribl write them). The wrapper's _time stays available to the mapping.
func unwrapRaw(f Fields) Fields {
	s, ok := f["_raw"].(string)
	if !ok {
		return f
	}
	inner, ok := decodeEmbedded(s)
	m, isObj := inner.(map[string]any)
	if !ok || !isObj {
		return f
	}
	if _, has := m["_time"]; !has {
		if t, ok := f["_time"]; ok {
			m["_time"] = t
		}
	}
	return m
}

// eventID is the stable id of a record: a hash of its raw bytes (and, for a
// CSV row, of its header), so importing the same record again finds it.
func eventID(salt, raw []byte) string {
	h := sha256.New()
	if len(salt) > 0 {
		h.Write(salt)
		h.Write([]byte{0})
	}
	h.Write(raw)
	return hex.EncodeToString(h.Sum(nil)[:16])
}
