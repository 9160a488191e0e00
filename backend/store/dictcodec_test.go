package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
)

// Events are stored in blocks of up to blockEvents consecutive events, compressed
// when that saves an eighth; a record too long to share makes a block of its
// own. Every record reads back byte for byte, one by one and in a scan;
// verification sees through blocks, and a block tampered with names its
// events, never aborts.
func TestEventsStoredInBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	defer s.Close()
	src := newSource(t, s, "/evidence/a.json")
	noise := func(i int) string { // incompressible, alone and together
		b := make([]byte, 300)
		r := rand.New(rand.NewPCG(uint64(i), 7919))
		for j := range b {
			b[j] = byte(r.Uint32())
		}
		return string(b)
	}
	var records []string
	B := blockSize[rawBlob]
	for i := range 3*B + 1 { // blocks of B, B, the long record alone, B
		records = append(records, fmt.Sprintf(`{"n":%d,"actor":{"name":"alice"},"action":"policy.updated","details":"%s"}`, i, strings.Repeat("escalation rule changed; ", 10)))
	}
	records[2*B] = `{"details":"` + strings.Repeat("x", blockBytes) + `"}`
	for i := range B { // B incompressible records: a block stored plain
		records = append(records, noise(i))
	}
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	d := sha256.New()
	for i, r := range records {
		sum := sha256.Sum256([]byte(r))
		d.Write([]byte(hex.EncodeToString(sum[:])))
		ev := &audit.Event{ID: fmt.Sprint("ev", i), Time: time.Unix(1700000000+int64(i), 0).UTC(), Format: "generic",
			Source: audit.SourceRef{ID: src.ID}, Action: "x", Raw: audit.RawRecord(r), RawSHA256: hex.EncodeToString(sum[:])}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	// Raw records: blocks of B, cut before and after the long record; the
	// incompressible ones stored plain.
	var blocks []string
	rows, err := s.r.Query(`SELECT first_seq, n, zstd, length(content) FROM raw_blocks ORDER BY first_seq`)
	err = eachRow(rows, err, func() error {
		var first, n, z, size int
		if err := rows.Scan(&first, &n, &z, &size); err != nil {
			return err
		}
		blocks = append(blocks, fmt.Sprintf("%d+%d:%d", first, n, z))
		if z == 1 && size*3 > n*len(records[first-1]) {
			t.Errorf("block %d: %d records in %d bytes", first, n, size)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	layout := fmt.Sprintf("1+%[1]d:1, %[2]d+%[1]d:1, %[3]d+1:1, %[4]d+%[1]d:1, %[5]d+%[1]d:0", B, B+1, 2*B+1, 2*B+2, 3*B+2)
	if got := strings.Join(blocks, ", "); got != layout {
		t.Errorf("raw blocks: %s, want %s", got, layout)
	}
	// Details: blocks of D throughout (the long record's detail is short),
	// compressed.
	D := blockSize[detailBlob]
	blocks, layout = nil, ""
	rows, err = s.r.Query(`SELECT first_seq, n, zstd FROM detail_blocks ORDER BY first_seq`)
	err = eachRow(rows, err, func() error {
		var first, n, z int
		if err := rows.Scan(&first, &n, &z); err != nil {
			return err
		}
		blocks = append(blocks, fmt.Sprintf("%d+%d:%d", first, n, z))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for first := 1; first <= len(records); first += D { // (the last, of one, saves too little)
		n := min(D, len(records)-first+1)
		layout += fmt.Sprintf(", %d+%d:%d", first, n, min(n-1, 1))
	}
	if got := strings.Join(blocks, ", "); got != layout[2:] {
		t.Errorf("detail blocks: %s, want %s", got, layout[2:])
	}
	var marked int
	if err := s.r.QueryRow(`SELECT count(*) FROM events WHERE raw = X'' AND detail = X'' AND raw_zstd = 2 AND detail_zstd = 2`).Scan(&marked); err != nil || marked != len(records) {
		t.Fatalf("%d rows marked as in their blocks, %v", marked, err)
	}
	read := func(st *Store) {
		t.Helper()
		for _, i := range []int{0, B - 1, B, 2*B - 1, 2 * B, 2*B + 1, 3 * B, 3*B + 1, 4 * B} {
			ev, err := st.Event(fmt.Sprint("ev", i))
			if err != nil || string(ev.Raw) != records[i] || ev.Action != "x" {
				t.Fatalf("ev%d read back: %v", i, err)
			}
		}
		n := 0
		if err := st.EachAfter(t.Context(), 0, func(seq int64, ev *audit.Event) error {
			if string(ev.Raw) != records[seq-1] || ev.ID != fmt.Sprint("ev", seq-1) {
				return fmt.Errorf("seq %d scanned as %s", seq, ev.ID)
			}
			n++
			return nil
		}); err != nil || n != len(records) {
			t.Fatalf("scan: %d events, %v", n, err)
		}
	}
	read(s)
	again := open(t, path) // nothing cached
	defer again.Close()
	read(again)
	digest := hex.EncodeToString(d.Sum(nil))
	if c, err := s.VerifySource(src.ID, digest); err != nil || len(c.Altered)+len(c.Damaged) != 0 || !c.DigestOK || c.Events != len(records) {
		t.Fatalf("verify of intact records: %+v %v", c, err)
	}
	// One byte of the second block's frame changed: its checksum fails, and
	// each of its events is named. A fresh store, with nothing cached.
	if _, err := s.w.Exec(`UPDATE raw_blocks SET content = substr(content, 1, 20) || iif(substr(content, 21, 1) = X'00', X'01', X'00') || substr(content, 22) WHERE first_seq = ?`, B+1); err != nil {
		t.Fatal(err)
	}
	// The plain block's lengths no longer add up.
	if _, err := s.w.Exec(`UPDATE raw_blocks SET content = X'00' || content WHERE first_seq = ?`, 3*B+2); err != nil {
		t.Fatal(err)
	}
	// The long record's raw block is gone, and the detail block it is in.
	lost := 2 * B / D * D // the first event of that detail block, by its index in records
	if _, err := s.w.Exec(`DELETE FROM raw_blocks WHERE first_seq = ?; DELETE FROM detail_blocks WHERE first_seq = ?`, 2*B+1, lost+1); err != nil {
		t.Fatal(err)
	}
	fresh := open(t, path)
	defer fresh.Close()
	c, err := fresh.VerifySource(src.ID, digest)
	var want []string
	for i := B; i < len(records); i++ {
		if i <= 2*B || i > 3*B {
			want = append(want, fmt.Sprint("ev", i))
		}
	}
	var damaged []string
	for i := lost; i < lost+D; i++ {
		damaged = append(damaged, fmt.Sprint("ev", i))
	}
	if err != nil || strings.Join(c.Altered, " ") != strings.Join(want, " ") || strings.Join(c.Damaged, " ") != strings.Join(damaged, " ") || !c.DigestOK {
		t.Fatalf("verify after tampering: %+v %v", c, err)
	}
	for i, msg := range map[int]string{B + 4: "a stored raw record cannot be decompressed",
		2 * B: "its stored block is missing", 3*B + 7: "its stored block is damaged"} {
		id, msg := fmt.Sprint("ev", i), fmt.Sprintf("event ev%d: %s", i, msg)
		if _, err := fresh.Event(id); err == nil || !strings.HasPrefix(err.Error(), msg) {
			t.Errorf("reading %s: %v, want %q", id, err, msg)
		}
	}
	if ev, err := fresh.Event(fmt.Sprint("ev", lost+D)); err != nil || string(ev.Raw) != records[lost+D] {
		t.Fatalf("ev%d, in intact blocks: %v", lost+D, err)
	}
}

// Blocks are cut strictly: a payload whose lengths do not add up, or that
// holds another number of blobs, is damaged, never misread.
func TestSplitBlock(t *testing.T) {
	var b blockBuf
	for _, s := range []string{"alpha", "", "gamma gamma"} {
		b.add([]byte(s))
	}
	payload := b.payload()
	blobs, err := splitBlock(payload, 3)
	if err != nil || fmt.Sprintf("%q", blobs) != `["alpha" "" "gamma gamma"]` || cap(blobs[0]) != 5 {
		t.Fatalf("split: %q %v", blobs, err)
	}
	for name, bad := range map[string][]byte{"other count": payload, "short": payload[:10], "empty": nil,
		"longer data": append([]byte("x"), payload...), "shorter data": payload[1:]} {
		n := 3
		if name == "other count" {
			n = 2
		}
		if _, err := splitBlock(bad, n); err != errBlock {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// dictRecord is a record of the kind one export holds: the same keys and
// many of the same values, record after record.
func dictRecord(i int) string {
	return fmt.Sprintf(`{"id":"evt_%08x","timestamp":"2026-05-05T08:%02d:%02d.%03dZ","actor":{"id":"usr_%d","type":"USER","name":"User %d","email":"user%d@acme.io"},"action":"alert.commented","resource":{"type":"ALERT","id":"al_%d","name":"[FIRING:1] memory pressure on k8s-node-%d"},"result":"SUCCESS","client":{"ip":"198.51.100.%d","userAgent":"Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:127.0) Gecko/20100101 Firefox/127.0"},"before":{"priority":"HIGH","status":"ACCEPTED","comments":%d},"after":{"priority":"HIGH","status":"ACCEPTED","comments":%d}}`,
		i*2654435761, i/60%60, i%60, i%1000, i%37, i%37, i%37, i, i%23, i%250, i%9, i%9+1)
}

func insertRecords(t *testing.T, s *Store, src int64, format string, from, to int, commit bool) {
	t.Helper()
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	for i := from; i < to; i++ {
		raw := dictRecord(i)
		sum := sha256.Sum256([]byte(raw))
		ev := &audit.Event{ID: fmt.Sprintf("%s-%d", format, i), Time: time.Unix(1700000000+int64(i), 0).UTC(), Format: format,
			Source: audit.SourceRef{ID: src}, Action: "alert.commented", Raw: audit.RawRecord(raw), RawSHA256: hex.EncodeToString(sum[:])}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if commit {
		err = b.Commit()
	} else {
		err = b.Rollback()
	}
	if err != nil {
		t.Fatal(err)
	}
}

// Once a format's records reach 64 KiB, they become its dictionary and
// later records of it shrink to a fraction of what they do alone. Every
// record reads back byte for byte: in this process, after a reopen, and in
// a second process that opened the case before the dictionary existed.
func TestRawRecordsShareADictionary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	defer s.Close()
	other := open(t, path) // a serve process, open before the import
	defer other.Close()
	src := newSource(t, s, "/evidence/a.json")
	// A batch that adds a dictionary and is rolled back leaves none behind,
	// not even in this process's memory: the next dictionary gets its row
	// id, and ilert.audit gets a dictionary of its own.
	const n = 2000
	insertRecords(t, s, src.ID, "ilert.audit", 0, 400, false)
	insertRecords(t, s, src.ID, "first.format", 5000, 5200, true)
	insertRecords(t, s, src.ID, "ilert.audit", 0, n, true)
	insertRecords(t, s, src.ID, "other.format", 0, 50, true) // under 64 KiB: no dictionary

	// Their details (~50 bytes each here) share dictionaries the same way:
	// only ilert.audit has 64 KiB of them.
	for table, want := range map[string]string{"raw_dicts": "first.format,ilert.audit", "detail_dicts": "ilert.audit"} {
		var formats string
		if err := s.r.QueryRow(`SELECT group_concat(format) FROM (SELECT format FROM ` + table + ` ORDER BY id)`).Scan(&formats); err != nil || formats != want {
			t.Fatalf("%s: %q %v", table, formats, err)
		}
	}
	// The later half of ilert.audit's records, whole blocks of them.
	var late, records, alone int
	if err := s.r.QueryRow(`SELECT sum(length(b.content)), sum(b.n) FROM raw_blocks b JOIN events e ON e.seq = b.first_seq
		WHERE e.id LIKE 'ilert.audit-%' AND e.time_ns >= ?`, time.Unix(1700000000+n/2, 0).UnixNano()).Scan(&late, &records); err != nil || records < n/3 {
		t.Fatal(records, err)
	}
	for i := n - records; i < n; i++ {
		alone += len(plainEncoder.EncodeAll([]byte(dictRecord(i)), nil))
	}
	if late*3 > alone {
		t.Errorf("records after the dictionary: %d bytes stored, %d compressed one by one without it (%d raw)", late, alone, records)
	}
	reopened := open(t, path)
	defer reopened.Close()
	for _, st := range []*Store{s, other, reopened} {
		for _, f := range []string{"ilert.audit", "other.format", "first.format"} {
			for _, i := range []int{0, 49, 1500, n - 1, 5000, 5199} {
				if f == "other.format" && i >= 50 || f == "first.format" && i < 5000 || f != "first.format" && i >= 5000 {
					continue
				}
				ev, err := st.Event(fmt.Sprintf("%s-%d", f, i))
				if err != nil || string(ev.Raw) != dictRecord(i) || ev.Format != f || ev.Action != "alert.commented" {
					t.Fatalf("%s-%d read back: %v", f, i, err)
				}
			}
		}
	}
	if c, err := other.VerifySource(src.ID, ""); err != nil || len(c.Altered) != 0 || c.Events != n+250 {
		t.Fatalf("verify: %+v %v", c, err)
	}
	// The dictionary replaced by hand: the records that copied bytes from it
	// fail their frames' checksums and verify names them; the rest still
	// hash right (verify compares every record with its SHA-256).
	if _, err := s.w.Exec(`UPDATE raw_dicts SET content = zeroblob(65536)`); err != nil {
		t.Fatal(err)
	}
	tampered := open(t, path)
	defer tampered.Close()
	c, err := tampered.VerifySource(src.ID, "")
	if err != nil || len(c.Altered) < n/2 {
		t.Fatalf("verify after the dictionary was changed: %d altered, %v", len(c.Altered), err)
	}
}

// Readers that each hold a connection of the readers' pool while they read
// blocks never wait for one another: blocks come through a pool of their
// own. More blocks than the cache keeps, so it also drops and reads again.
func TestManyReadersReadBlocks(t *testing.T) {
	path := filepath.Join(t.TempDir(), "case.db")
	s := open(t, path)
	src := newSource(t, s, "/evidence/a.json")
	n := cachedEvents + 60*blockEvents
	insertRecords(t, s, src.ID, "ilert.audit", 0, n, true)
	s.Close()
	s = open(t, path) // nothing cached; closed only when no reader is stuck
	readers := 3 * max(4, runtime.NumCPU())
	errs := make(chan error, readers)
	for r := range readers {
		go func() {
			i := 0
			err := s.EachAfter(t.Context(), int64(r*blockEvents*7%n), func(seq int64, ev *audit.Event) error {
				if want := fmt.Sprintf("ilert.audit-%d", seq-1); ev.ID != want || string(ev.Raw) != dictRecord(int(seq-1)) {
					return fmt.Errorf("seq %d read as %s", seq, ev.ID)
				}
				i++
				return nil
			})
			errs <- err
		}()
	}
	for range readers {
		select {
		case err := <-errs:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("readers stuck")
		}
	}
	s.Close()
}
