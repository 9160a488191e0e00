package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
)

// Long records are stored compressed and read back byte for byte; short or
// incompressible ones stay plain; verification sees through both, and a
// compressed row that was tampered with is reported, not fatal.
func TestRawRecordsCompressed(t *testing.T) {
	s := open(t, filepath.Join(t.TempDir(), "case.db"))
	defer s.Close()
	src := newSource(t, s, "/evidence/a.json")
	long := `{"actor":{"name":"alice"},"action":"policy.updated","details":"` + strings.Repeat("escalation rule changed; ", 40) + `"}`
	noise := make([]byte, 300) // incompressible: stays plain
	for i := range noise {
		noise[i] = byte(i*7919%251) ^ byte(i>>3)
	}
	records := map[string]string{"long": long, "short": `{"a":1}`, "noise": string(noise)}
	b, err := s.BeginBatch()
	if err != nil {
		t.Fatal(err)
	}
	var hashes []string
	for _, id := range []string{"long", "short", "noise"} {
		sum := sha256.Sum256([]byte(records[id]))
		hashes = append(hashes, hex.EncodeToString(sum[:]))
		ev := &audit.Event{ID: id, Time: time.Unix(1700000000, 0).UTC(), Format: "generic", Source: audit.SourceRef{ID: src.ID},
			Action: "x", Raw: audit.RawRecord(records[id]), RawSHA256: hashes[len(hashes)-1]}
		if _, err := b.Insert(ev); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	want := map[string]bool{"long": true, "short": false, "noise": false}
	for id, compressed := range want {
		var z bool
		var n int
		if err := s.r.QueryRow(`SELECT raw_zstd, length(raw) FROM events WHERE id = ?`, id).Scan(&z, &n); err != nil {
			t.Fatal(err)
		}
		if z != compressed || (z && n >= len(records[id])/2) || (!z && n != len(records[id])) {
			t.Errorf("%s: stored compressed=%v in %d bytes (record %d bytes), want compressed=%v", id, z, n, len(records[id]), compressed)
		}
		ev, err := s.Event(id)
		if err != nil || string(ev.Raw) != records[id] {
			t.Fatalf("%s read back: %v, equal=%v", id, err, err == nil && string(ev.Raw) == records[id])
		}
	}
	d := sha256.New()
	for _, h := range hashes {
		d.Write([]byte(h))
	}
	digest := hex.EncodeToString(d.Sum(nil))
	if c, err := s.VerifySource(src.ID, digest); err != nil || len(c.Altered) != 0 || !c.DigestOK || c.Events != 3 {
		t.Fatalf("verify of intact records: %+v %v", c, err)
	}
	// One byte of the compressed frame changed: its checksum fails.
	if _, err := s.w.Exec(`UPDATE events SET raw = substr(raw, 1, 20) || X'00' || substr(raw, 22) WHERE id = 'long'`); err != nil {
		t.Fatal(err)
	}
	c, err := s.VerifySource(src.ID, digest)
	if err != nil || fmt.Sprint(c.Altered) != "[long]" {
		t.Fatalf("verify after tampering: %+v %v", c, err)
	}
	if _, err := s.Event("long"); err == nil || !strings.Contains(err.Error(), "cannot be decompressed") {
		t.Fatalf("reading a damaged record: %v", err)
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
	var late, records int
	if err := s.r.QueryRow(`SELECT sum(length(raw)) FROM events WHERE id LIKE 'ilert.audit-%' AND time_ns >= ?`,
		time.Unix(1700000000+n/2, 0).UnixNano()).Scan(&late); err != nil {
		t.Fatal(err)
	}
	for i := n / 2; i < n; i++ {
		records += len(dictRecord(i))
	}
	alone := 0
	for i := n / 2; i < n; i++ {
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
