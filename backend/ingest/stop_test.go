package ingest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"auditlens/backend/audit"
)

// stopAfter cancels the import's context at its n-th event.
type stopAfter struct {
	*memHandler
	n      int
	cancel func()
	ended  int
}

func (h *stopAfter) Event(s *audit.Source, ev *audit.Event) error {
	if len(h.events) == h.n {
		h.cancel()
	}
	return h.memHandler.Event(s, ev)
}

func (h *stopAfter) EndSource(*audit.Source) error { h.ended++; return nil }

// An import whose context ends reads no further than the buffer in hand,
// opens no other file, and returns the context's cause as the handler's
// error (so the caller knows the source it was reading was cut short).
func TestImportStopsWithItsContext(t *testing.T) {
	dir := t.TempDir()
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, `{"time":"2026-01-01T00:00:%02dZ","user":"u%d","action":"a.b","message":"%s"}`+"\n", i%60, i, strings.Repeat("x", 40))
	}
	big, other := filepath.Join(dir, "big.ndjson"), filepath.Join(dir, "other.ndjson")
	os.WriteFile(big, []byte(b.String()), 0o644)
	os.WriteFile(other, []byte(`{"time":"2026-01-01T00:00:00Z","user":"v","action":"c.d"}`+"\n"), 0o644)
	cause := errors.New("the user stopped it")
	ctx, cancel := context.WithCancelCause(context.Background())
	h := &stopAfter{memHandler: newMem(), n: 10, cancel: func() { cancel(cause) }}
	errs := Import([]string{big, other}, Options{Context: ctx}, h)
	if len(errs) != 1 || !errors.Is(errs[0], cause) {
		t.Fatalf("errors %v, want only the context's cause", errs)
	}
	if len(h.events) >= 5000 || h.ended != 0 || len(h.sources) != 1 {
		t.Fatalf("after the stop: %d events, %d sources begun, %d ended; want a buffer's worth, 1, 0", len(h.events), len(h.sources), h.ended)
	}
	// the record the stop cut in two is no broken record of the file
	if s := h.sources[0]; s.Rejected != 0 || len(s.Errors) != 0 {
		t.Fatalf("the stop rejected %d records: %v", s.Rejected, s.Errors)
	}
}
