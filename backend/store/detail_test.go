package store

import (
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
	"auditlens/backend/ingest"
	"bytes"
	gojson "github.com/goccy/go-json"
	"os"
)

// detailEvent has every field a detail holds, varied by i; even events have
// no targets and no changes.
func detailEvent(i int, src int64) *audit.Event {
	ev := &audit.Event{ID: fmt.Sprintf("ev-%04d", i), Time: time.Unix(1700000000+int64(i), 0).UTC(), Format: "ilert.audit",
		Source: audit.SourceRef{ID: src}, Category: "alert", Action: fmt.Sprintf("alert.rule_%d.updated", i%7),
		Outcome: "success", Actor: audit.Actor{ID: fmt.Sprintf("usr_%d", i%13), Name: "Zoë Ämmälä " + fmt.Sprint(i%13),
			Email: fmt.Sprintf("user%d@acme.io", i%13), Type: "USER"},
		IP: fmt.Sprintf("198.51.100.%d", i%250), UserAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/127.0",
		Session: fmt.Sprintf("sess-%d", i/10), Request: fmt.Sprintf("req-%08d", i),
		Message: fmt.Sprintf("Escalation rule %d of policy \"Payments\" changed\nby <b>admin</b>", i%7),
		Raw:     audit.RawRecord(`{"n":` + fmt.Sprint(i) + `}`)}
	sum := sha256.Sum256(ev.Raw)
	ev.RawSHA256 = hex.EncodeToString(sum[:])
	if i%2 == 1 {
		ev.Targets = []audit.Target{{Type: "ESCALATION_POLICY", ID: fmt.Sprint(i % 5), Name: "Payments primary"},
			{Type: "USER", ID: "usr_1", Name: ""}}
		ev.Changes = []audit.Change{
			{Path: "escalationRules[0].minutes", Before: json.Number("12345678901234567890"), After: json.Number("1.50")},
			{Path: "name", Before: nil, After: map[string]any{"a": []any{"x", json.Number(fmt.Sprint(i))}}}}
	}
	return ev
}

// insertDetailEvents stores detailEvent(from) to detailEvent(to-1) in one batch.
func insertDetailEvents(t testing.TB, s *Store, src int64, from, to int) {
	t.Helper()
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i := from; i < to; i++ {
		if _, err := b.Insert(detailEvent(i, src)); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
}

// detailFields is what an event's detail must give back.
func detailFields(ev *audit.Event) []any {
	targets, changes := ev.Targets, ev.Changes
	if targets == nil {
		targets = []audit.Target{}
	}
	if changes == nil {
		changes = []audit.Change{}
	}
	return []any{ev.Format, ev.Category, ev.Action, ev.Outcome, ev.Actor, ev.IP, ev.UserAgent, ev.Session, ev.Request,
		ev.Message, targets, changes, ev.RawSHA256}
}

// New rows keep everything no query reads in one detail, compressed against
// the format's dictionary once there is one; the columns it replaces stay
// empty. Every event reads back as it was stored: in this process and after
// a reopen, one by one and in a scan.
func TestEventDetails(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := newSource(t, s, "/evidence/a.json")
	const n = 600 // ~450 bytes a detail: the first ~145 make the dictionary
	insertDetailEvents(t, s, src.ID, 0, n)
	var empty, hashes int
	if err := s.r.QueryRow(`SELECT count(*) FROM events WHERE format || category || action || outcome || actor_id ||
		actor_name || actor_email || actor_type || targets || ip || user_agent || session || request || message || changes = ''
		AND detail = X'' AND detail_zstd = 2`).Scan(&empty); err != nil {
		t.Fatal(err)
	}
	if err := s.r.QueryRow(`SELECT count(*) FROM events WHERE typeof(raw_sha256) = 'blob' AND length(raw_sha256) = 32`).Scan(&hashes); err != nil {
		t.Fatal(err)
	}
	// The blocks of the later half, against the details they hold.
	var late, events, compressed, plain int
	if err := s.r.QueryRow(`SELECT sum(length(content)), sum(n), sum(zstd) FROM detail_blocks WHERE first_seq > ?`, n/2).Scan(&late, &events, &compressed); err != nil {
		t.Fatal(err)
	}
	for i := n - events; i < n; i++ {
		d, _ := encodeDetail(detailEvent(i, src.ID))
		plain += len(d)
	}
	if empty != n || events < n/3 || compressed != (events+blockSize[detailBlob]-1)/blockSize[detailBlob] || late*3 > plain || hashes != n {
		t.Fatalf("%d of %d rows with empty columns, %d hashes stored as 32 bytes; the later blocks: %d compressed, %d bytes stored of %d",
			empty, n, hashes, compressed, late, plain)
	}
	check := func(st *Store) {
		t.Helper()
		for _, i := range []int{0, 1, 2, 143, 144, 145, 146, 301, n - 2, n - 1} {
			ev, err := st.Event(fmt.Sprintf("ev-%04d", i))
			if err != nil {
				t.Fatal(err)
			}
			if got, want := detailFields(ev), detailFields(detailEvent(i, src.ID)); !reflect.DeepEqual(got, want) {
				t.Fatalf("event %d read back:\n%#v\nwant\n%#v", i, got, want)
			}
		}
		i := 0
		if err := st.EachAfter(t.Context(), 0, func(_ int64, ev *audit.Event) error {
			if got, want := detailFields(ev), detailFields(detailEvent(i, src.ID)); !reflect.DeepEqual(got, want) {
				return fmt.Errorf("event %d scanned:\n%#v\nwant\n%#v", i, got, want)
			}
			i++
			return nil
		}); err != nil || i != n {
			t.Fatalf("scan: %d events, %v", i, err)
		}
	}
	check(s)
	if c, err := s.VerifySource(src.ID, ""); err != nil || c.Events != n || len(c.Altered) != 0 {
		t.Fatalf("verify: %+v %v", c, err)
	}
	s.Close()
	s = open(t, path)
	defer s.Close()
	check(s)
}

// A row written before details keeps its columns, no detail and its hash as
// hex text, and reads and verifies as it did.
func TestRowsWithoutDetail(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/old.json")
	for _, i := range []int{1, 2} {
		ev := detailEvent(i, src.ID)
		targets, _ := json.Marshal(detailFields(ev)[10])
		changes, _ := json.Marshal(detailFields(ev)[11])
		if _, err := s.w.Exec(`INSERT INTO events(id, time_ns, format, source_id, category, action, outcome, actor_id,
			actor_name, actor_email, actor_type, targets, ip, user_agent, session, request, message, changes, raw, raw_sha256)
			VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`, ev.ID, ev.Time.UnixNano(), ev.Format, src.ID, ev.Category, ev.Action,
			ev.Outcome, ev.Actor.ID, ev.Actor.Name, ev.Actor.Email, ev.Actor.Type, string(targets), ev.IP, ev.UserAgent,
			ev.Session, ev.Request, ev.Message, string(changes), []byte(ev.Raw), ev.RawSHA256); err != nil {
			t.Fatal(err)
		}
		got, err := s.Event(ev.ID)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(detailFields(got), detailFields(ev)) || string(got.Raw) != string(ev.Raw) {
			t.Fatalf("old row %d:\n%#v\nwant\n%#v", i, detailFields(got), detailFields(ev))
		}
	}
	if c, err := s.VerifySource(src.ID, ""); err != nil || c.Events != 2 || len(c.Altered) != 0 {
		t.Fatalf("verify: %+v %v", c, err)
	}
}

// A damaged detail is an error naming the event, never a wrong event.
func TestDamagedDetail(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := newSource(t, s, "/evidence/a.json")
	insertDetailEvents(t, s, src.ID, 0, 200)
	// The first block's details stored plain, two of them damaged: one cut
	// short, one with a byte too many.
	var first blockBuf
	for seq := int64(1); seq <= int64(blockSize[detailBlob]); seq++ {
		d, err := s.blockBlob(seq, detailBlob)
		if err != nil {
			t.Fatal(err)
		}
		switch seq {
		case 2:
			d = d[:len(d)-3]
		case 4:
			d = append(d, 0)
		}
		first.add(d)
	}
	if _, err := s.w.Exec(`UPDATE detail_blocks SET content = ?, zstd = 0 WHERE first_seq = 1`, first.payload()); err != nil {
		t.Fatal(err)
	}
	// A byte of the block holding ev-0199 (seq 200) changed.
	d := int64(blockSize[detailBlob])
	last := (200 - 1) / d * d // its first seq, less one
	if _, err := s.w.Exec(`UPDATE detail_blocks SET content = substr(content, 1, 30) || iif(substr(content, 31, 1) = X'00', X'01', X'00') || substr(content, 32) WHERE first_seq = ? AND zstd`, last+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	s = open(t, path) // nothing cached
	defer s.Close()
	for id, want := range map[string]string{"ev-0199": "event ev-0199: a stored event detail cannot be decompressed",
		"ev-0001": "event ev-0001: its stored detail is damaged", "ev-0003": "event ev-0003: its stored detail is damaged"} {
		if _, err := s.Event(id); err == nil || !strings.HasPrefix(err.Error(), want) {
			t.Errorf("%s: %v; want %q", id, err, want)
		}
	}
	if ev, err := s.Event("ev-0002"); err != nil || !reflect.DeepEqual(detailFields(ev), detailFields(detailEvent(2, src.ID))) {
		t.Errorf("ev-0002, intact beside them: %v", err)
	}
	// Read together (decoded on two goroutines), the damage of the lowest
	// seq is the one told.
	var all []string
	for i := 199; i >= 0; i-- {
		all = append(all, fmt.Sprintf("ev-%04d", i))
	}
	if _, err := s.EventsBySeqs(seqsOf(t, s, all), true); err == nil || !strings.HasPrefix(err.Error(), "event ev-0001: its stored detail is damaged") {
		t.Errorf("all 200 at once: %v", err)
	}
	// verify finds them; their raw records are intact.
	chk, err := s.VerifySource(src.ID, "")
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"ev-0001", "ev-0003"}
	for i := last; i < 200; i++ { // the last block: seqs last+1 to 200
		want = append(want, fmt.Sprintf("ev-%04d", i))
	}
	if got := strings.Join(chk.Damaged, " "); got != strings.Join(want, " ") || len(chk.Altered) != 0 || chk.Events != 200 {
		t.Errorf("verify: damaged %q, altered %v, %d events", got, chk.Altered, chk.Events)
	}
}

// Any detail decodes to the event it was made from; any other bytes (a
// damaged row) decode to an error or to some event, never a panic, and what
// they decode to encodes back to the same bytes.
func FuzzDetail(f *testing.F) {
	for _, i := range []int{0, 1} {
		d, _ := encodeDetail(detailEvent(i, 1))
		f.Add(d)
		f.Add(d[:len(d)/2])
	}
	f.Add([]byte{})
	f.Add([]byte{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01})
	f.Fuzz(func(t *testing.T, blob []byte) {
		var ev audit.Event
		if err := decodeDetail(blob, &ev); err != nil {
			return
		}
		again, err := encodeDetail(&ev)
		if err != nil {
			return // targets or changes that are not JSON the importer would write
		}
		var ev2 audit.Event
		if err := decodeDetail(again, &ev2); err != nil {
			t.Fatalf("a detail encoded from a decoded one does not decode: %v", err)
		}
		if !reflect.DeepEqual(detailFields(&ev), detailFields(&ev2)) {
			t.Fatalf("decoded twice differently:\n%#v\n%#v", detailFields(&ev), detailFields(&ev2))
		}
	})
}

// Rows written before blocks hold their raw record and detail themselves,
// compressed or not; they read and verify beside the blocks of later rows.
func TestRowsFromBeforeBlocks(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/old.json")
	for i, how := range []int{0, 1} {
		ev := detailEvent(i, src.ID)
		ev.Raw = audit.RawRecord(dictRecord(i))
		sum := sha256.Sum256(ev.Raw)
		ev.RawSHA256 = hex.EncodeToString(sum[:])
		raw, detail := []byte(ev.Raw), mustDetail(t, ev)
		if how == 1 {
			raw, detail = plainEncoder.EncodeAll(raw, nil), plainEncoder.EncodeAll(detail, nil)
		}
		if _, err := s.w.Exec(`INSERT INTO events(id, time_ns, source_id, format, category, action, outcome, raw, raw_zstd,
			raw_sha256, detail, detail_zstd) VALUES(?,?,?,'','','','',?,?,?,?,?)`, ev.ID, ev.Time.UnixNano(), src.ID,
			raw, how, sum[:], detail, how); err != nil {
			t.Fatal(err)
		}
	}
	insertDetailEvents(t, s, src.ID, 2, 40)
	i := 0
	if err := s.EachAfter(t.Context(), 0, func(seq int64, ev *audit.Event) error {
		want := detailEvent(i, src.ID)
		if i < 2 {
			want.Raw = audit.RawRecord(dictRecord(i))
			sum := sha256.Sum256(want.Raw)
			want.RawSHA256 = hex.EncodeToString(sum[:])
		}
		if !reflect.DeepEqual(detailFields(ev), detailFields(want)) || string(ev.Raw) != string(want.Raw) {
			return fmt.Errorf("event %d:\n%#v\nwant\n%#v", i, detailFields(ev), detailFields(want))
		}
		i++
		return nil
	}); err != nil || i != 40 {
		t.Fatalf("%d events read: %v", i, err)
	}
	if c, err := s.VerifySource(src.ID, ""); err != nil || c.Events != 40 || len(c.Altered)+len(c.Damaged) != 0 {
		t.Fatalf("verify: %+v %v", c, err)
	}
}

func mustDetail(t *testing.T, ev *audit.Event) []byte {
	t.Helper()
	d, err := encodeDetail(ev)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// seqsOf gives the seqs of the events with these ids; an id of no event
// gets a seq past every event's.
func seqsOf(t testing.TB, s *Store, ids []string) []int64 {
	t.Helper()
	var out []int64
	for _, id := range ids {
		var seq int64
		err := s.r.QueryRow(`SELECT seq FROM events WHERE id = ?`, id).Scan(&seq)
		if err == sql.ErrNoRows {
			err = s.r.QueryRow(`SELECT max(seq) + 1000 FROM events`).Scan(&seq)
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, seq)
	}
	return out
}

// Many events read at once (their blocks decoded on two goroutines) are the
// events read one by one, in the order asked, with or without raw records.
func TestEventsBySeqsAsOneByOne(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/a.json")
	insertDetailEvents(t, s, src.ID, 0, 600)
	var ids []string
	for i := 0; i < 600; i += 3 {
		ids = append(ids, fmt.Sprintf("ev-%04d", (i*7)%600)) // scattered, out of order
	}
	ids = append(ids, "no-such-event")
	seqs := seqsOf(t, s, ids)
	for _, noRaw := range []bool{false, true} {
		evs, err := s.EventsBySeqs(seqs, noRaw)
		if err != nil || len(evs) != len(ids)-1 {
			t.Fatalf("noRaw %v: %d events, %v", noRaw, len(evs), err)
		}
		for i, ev := range evs {
			want, err := s.Event(ids[i])
			if err != nil {
				t.Fatal(err)
			}
			if noRaw {
				want.Raw = nil
			}
			if !reflect.DeepEqual(ev, want) {
				t.Fatalf("noRaw %v, %s read with the others:\n%+v\nalone:\n%+v", noRaw, ids[i], ev, want)
			}
		}
	}
}

// Reading events scattered over a case, every block cold: each event
// decodes a block of its own (go test ./backend/store -run XXX -bench
// EventsBySeqs).
func BenchmarkEventsBySeqsScattered(b *testing.B) {
	s := open(b, filepath.Join(b.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(b, s, "/evidence/a.json")
	var ids []string
	for from := 0; from < 20000; from += 1000 {
		insertDetailEvents(b, s, src.ID, from, from+1000)
	}
	for i := 0; i < 20000; i += 61 {
		ids = append(ids, fmt.Sprintf("ev-%04d", i))
	}
	seqs := seqsOf(b, s, ids)
	b.ResetTimer()
	for range b.N {
		s.blocks = [2]blockCache{} // every block cold
		if evs, err := s.EventsBySeqs(seqs, true); err != nil || len(evs) != len(ids) {
			b.Fatal(err, len(evs))
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(ids)), "µs/event")
}

// eachCorpusEvent hands f every event of the corpus and of a demo trail,
// mapped as an import maps them.
type eachCorpusEvent func(*audit.Event)

func (f eachCorpusEvent) BeginSource(*audit.Source) error { return nil }
func (f eachCorpusEvent) EndSource(*audit.Source) error   { return nil }
func (f eachCorpusEvent) Event(_ *audit.Source, ev *audit.Event) error {
	f(ev)
	return nil
}

// A detail's targets and changes are written by goccy's encoder (half the
// time of encoding/json's): the same bytes as encoding/json writes, for
// every event of the corpus and the demo's.
func TestDetailJSONAsEncodingJSON(t *testing.T) {
	var buf bytes.Buffer
	if err := demo.Generate(demo.Options{Events: 2000, Seed: 3}, &buf); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "demo.ndjson")
	if err := os.WriteFile(p, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	paths := []string{p}
	if dirs, _ := filepath.Glob("../../../shared/corpus/*"); len(dirs) > 0 {
		paths = append(paths, dirs...)
	} else {
		t.Log("no corpus: demo events only")
	}
	n, changes := 0, 0
	ingest.Import(paths, ingest.Options{}, eachCorpusEvent(func(ev *audit.Event) {
		n++
		changes += len(ev.Changes)
		for _, v := range []any{ev.Targets, ev.Changes} {
			want, werr := json.Marshal(v)
			got, gerr := gojson.Marshal(v)
			if !bytes.Equal(got, want) || (werr == nil) != (gerr == nil) {
				t.Errorf("event %s: %s (%v), encoding/json %s (%v)", ev.ID, got, gerr, want, werr)
			}
		}
	}))
	t.Logf("%d events, %d changes", n, changes)
	if n < 2000 || changes == 0 {
		t.Fatalf("%d events, %d changes", n, changes)
	}
}
