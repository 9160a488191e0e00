package service

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"

	"auditlens/backend/audit"
	"auditlens/backend/search"
	"auditlens/backend/store"
)

// A case on write-protected media (evidence behind a write blocker, a
// read-only mount, a folder whose files are not the investigator's) is
// opened as it is: its database in SQLite's immutable mode, its search
// index read-only, nothing written beside them. Everything that reads
// works: search, facets, the timeline, history, verify, the activity log,
// reports and exports (which the case cannot record in its log, and say
// so). What writes is refused in words (Writes): an import, a tag, a note,
// a saved search, a reindex. A case that would need writing to be read
// (changes left in its database's write-ahead log, a stopped first import,
// an older version) is refused with what to do. Its search index is used
// only when it holds every event as the database has it; otherwise the
// database answers every query on fields and words are refused (wordsErr).

// errWriteProtected: auditlens cannot write in the case's folder or its
// database (writable).
var errWriteProtected = errors.New("is read-only")

// openReadOnly opens the case in dir, which writable found write-protected
// (why), without writing anything.
func openReadOnly(dir string, o store.Options, why error) (*Case, error) {
	refuse := func(needs string) error {
		return audit.Errorf(audit.EINVALID, "the case at %s %v and %s: copy the folder somewhere writable and open the copy", dir, why, needs)
	}
	o.ReadOnly = true
	st, err := store.OpenWith(filepath.Join(dir, "case.db"), o)
	if err == nil {
		if err = st.EnsureIndexes(); err != nil { // (says what a stopped first import left undone)
			st.Close()
		}
	}
	if ro := (*store.ReadOnlyError)(nil); errors.As(err, &ro) {
		return nil, refuse(ro.Needs)
	} else if err != nil {
		return nil, fmt.Errorf("opening the case database: %w", err)
	}
	c := &Case{Dir: dir, store: st, allFields: referenceIndexes, readOnly: true}
	c.life, c.end = context.WithCancelCause(context.Background())
	c.wordsErr = c.openIndexAsItIs()
	if c.wordsErr != nil {
		c.wordsErr = audit.Errorf(audit.EINVALID, "the case at %s is read-only and %v, so words cannot be searched here; "+
			"searches on fields (action:, actor.email:, outcome:, category:, ip: …) work. Copy the folder somewhere writable "+
			"and open the copy to search words", dir, c.wordsErr)
	}
	c.background(c.warm)
	return c, nil
}

// openIndexAsItIs opens the search index read-only when it holds every
// event as the database has it, and says why not otherwise.
func (c *Case) openIndexAsItIs() error {
	o := c.indexOptions()
	o.ReadOnly = true
	idx, _, err := search.Open(filepath.Join(c.Dir, "index"), o)
	if err != nil {
		return fmt.Errorf("its search index cannot be used as it is (%w)", err)
	}
	newest, err := c.store.MaxSeq()
	if err == nil && idx.Watermark() < newest {
		err = fmt.Errorf("its search index lacks %d of its %d events (an import was stopped before it indexed them)",
			newest-idx.Watermark(), newest)
	}
	if err == nil {
		var pending []store.Pending
		if pending, err = c.store.IndexPending(); err == nil && len(pending) > 0 {
			err = fmt.Errorf("its search index has %d events whose tags changed after they were indexed", len(pending))
		}
	}
	if err != nil {
		idx.Close()
		return err
	}
	c.index = idx
	return nil
}

// Writes refuses, on a read-only case, what would write into it: what names
// it ("import", "tag events").
func (c *Case) Writes(what string) error {
	if !c.readOnly {
		return nil
	}
	return audit.Errorf(audit.EINVALID, "the case at %s is read-only (write-protected), so it cannot %s: copy the folder somewhere writable and open the copy", c.Dir, what)
}

// ReadOnly says the case was opened as it is, on write-protected media:
// nothing is written into it, not even into its activity log.
func (c *Case) ReadOnly() bool { return c.readOnly }

// WordsRefused is why words cannot be searched in a read-only case (its
// index lacks events, or is missing), nil when they can.
func (c *Case) WordsRefused() error { return c.wordsErr }
