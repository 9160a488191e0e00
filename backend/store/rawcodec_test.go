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
	src := &audit.Source{Path: "/evidence/a.json"}
	if err := s.CreateSource(src); err != nil {
		t.Fatal(err)
	}
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
