package ingest

import (
	"os"
	"path/filepath"
	"testing"

	"auditlens/backend/audit"
)

// memHandler keeps what an import finds, for tests.
type memHandler struct {
	sources []*audit.Source
	events  []*audit.Event
	bySrc   map[*audit.Source][]*audit.Event
	seen    map[string]bool
	nextID  int64
}

func newMem() *memHandler {
	return &memHandler{bySrc: map[*audit.Source][]*audit.Event{}, seen: map[string]bool{}}
}

func (m *memHandler) BeginSource(s *audit.Source) error {
	m.nextID++
	s.ID = m.nextID
	m.sources = append(m.sources, s)
	return nil
}

func (m *memHandler) Event(s *audit.Source, ev *audit.Event) error {
	if m.seen[ev.ID] {
		s.Duplicates++
		return nil
	}
	m.seen[ev.ID] = true
	s.Events++
	m.events = append(m.events, ev)
	m.bySrc[s] = append(m.bySrc[s], ev)
	return nil
}

func (m *memHandler) EndSource(*audit.Source) error { return nil }

// importPaths imports paths into a fresh memHandler.
func importPaths(t *testing.T, opts Options, paths ...string) (*memHandler, []error) {
	t.Helper()
	h := newMem()
	errs := Import(paths, opts, h)
	return h, errs
}

// corpusDir is ../shared/corpus seen from the project root; tests skip without it.
func corpusDir(t *testing.T) string {
	t.Helper()
	d, _ := filepath.Abs("../../../shared/corpus")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("corpus not found at %s: skipping tests over the shared corpus", d)
	}
	return d
}
