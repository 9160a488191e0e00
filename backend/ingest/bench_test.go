package ingest

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"auditlens/backend/audit"
)

type nopHandler struct{ n int }

func (h *nopHandler) BeginSource(*audit.Source) error         { return nil }
func (h *nopHandler) Event(*audit.Source, *audit.Event) error { h.n++; return nil }
func (h *nopHandler) EndSource(*audit.Source) error           { return nil }

func benchFile(b *testing.B, name string, line func(i int) string, n int) string {
	var buf bytes.Buffer
	for i := 0; i < n; i++ {
		buf.WriteString(line(i))
		buf.WriteByte('\n')
	}
	p := filepath.Join(b.TempDir(), name)
	os.WriteFile(p, buf.Bytes(), 0o644)
	b.SetBytes(int64(buf.Len()))
	return p
}

// BenchmarkIngestIlert maps 10,000 demo-shaped records (no store, no index).
func BenchmarkIngestIlert(b *testing.B) {
	p := benchFile(b, "ilert.ndjson", func(i int) string {
		return fmt.Sprintf(`{"id":"evt_%d","timestamp":"2026-05-04T09:15:02.123Z","tenant":"acme-oncall","actor":{"id":"usr_1","type":"USER","name":"Alice Jones","email":"alice.jones@acme.io"},"action":"escalation_policy.updated","resource":{"type":"ESCALATION_POLICY","id":"ep_4","name":"Payments primary"},"result":"SUCCESS","client":{"ip":"203.0.113.24","userAgent":"Mozilla/5.0"},"sessionId":"ses_1","requestId":"req_%d","before":{"name":"Payments primary","repeat":1,"rules":[{"escalationTimeout":15,"users":["usr_3"]}]},"after":{"name":"Payments primary","repeat":2,"rules":[{"escalationTimeout":30,"users":["usr_3","usr_5"]}]}}`, i, i)
	}, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := &nopHandler{}
		if errs := Import([]string{p}, Options{}, h); len(errs) > 0 || h.n != 10000 {
			b.Fatal(errs, h.n)
		}
	}
}

// BenchmarkIngestGeneric maps 10,000 records of no known format.
func BenchmarkIngestGeneric(b *testing.B) {
	p := benchFile(b, "generic.ndjson", func(i int) string {
		return fmt.Sprintf(`{"time":"2026-08-01T00:00:00Z","user":"z","action":"same","n":%d}`, i)
	}, 10000)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		h := &nopHandler{}
		if errs := Import([]string{p}, Options{}, h); len(errs) > 0 || h.n != 10000 {
			b.Fatal(errs, h.n)
		}
	}
}
