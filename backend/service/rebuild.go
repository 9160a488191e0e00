package service

import (
	"context"
	"fmt"
	"path/filepath"

	"auditlens/backend/audit"
	"auditlens/backend/search"
)

// A rebuild brings the search index up to the database in the background
// (OpenServing): after a killed import, or for an index that was removed or
// is of an older mapping, which at a million events takes minutes. Until it
// is done the case's index stays nil, so words() answers ECONFLICT with the
// progress while the database answers every query on fields; an import or
// a reindex waits for it. A tag changed meanwhile is noted (Case.retag) and
// its event written again at the end, since the rebuild may have read it
// before. Nothing adds events meanwhile (an import here waits; one
// elsewhere finds the index held), so newest - from is how many it indexes.
type rebuild struct {
	from   int64         // the seq it starts after
	newest int64         // the newest seq when it started
	done   chan struct{} // closed when it ends
	err    error         // why it failed, once done (under indexMu)
}

// rebuildCaughtUp lets a test hold a rebuild between its last event and
// its end.
var rebuildCaughtUp = func(context.Context) error { return nil }

// openIndexInBackground opens the search index and, when it lacks events,
// starts a rebuild.
func (c *Case) openIndexInBackground() error {
	idx, fresh, err := search.Open(filepath.Join(c.Dir, "index"))
	if err != nil {
		return err
	}
	newest, err := c.store.MaxSeq()
	if err != nil {
		idx.Close()
		return err
	}
	r := &rebuild{from: startOf(idx, fresh), newest: newest, done: make(chan struct{})}
	if newest <= r.from {
		c.index = idx
		return nil
	}
	c.rebuild = r
	c.background(func(ctx context.Context) {
		err := c.catchUp(ctx, idx, r.from)
		if err == nil {
			err = rebuildCaughtUp(ctx)
		}
		c.indexMu.Lock()
		defer c.indexMu.Unlock()
		defer close(r.done)
		// Even when stopped (the case closed): the next open catches up
		// from the watermark, and would not see these again.
		if e := c.retagLocked(idx); err == nil {
			err = e
		}
		if err != nil {
			idx.Close()
			r.err = err
			return
		}
		c.index, c.rebuild = idx, nil
	})
	return nil
}

// busy is why words must wait for r: its progress, or its failure. The
// caller holds indexMu.
func (c *Case) busy(r *rebuild) error {
	if r.err != nil {
		return fmt.Errorf("bringing the search index up to date failed: %w (auditlens reindex rebuilds it)", r.err)
	}
	return audit.Errorf(audit.ECONFLICT, "the search index is being brought up to date (%d of %d events), so searching "+
		"for words waits until it is done; searches on fields (action:, actor.email:, outcome:, category:, ip: …) work meanwhile",
		c.caughtUp.Load(), r.newest-r.from)
}

// indexEvent writes ev's search document again (its tags changed). While
// the index cannot take it (a rebuild runs, or another process holds the
// index) the event is noted, and written when the index is ready: the
// database holds the tag meanwhile.
func (c *Case) indexEvent(ev *audit.Event) error {
	idx, err := c.words()
	if audit.ErrorCode(err) == audit.ECONFLICT {
		c.indexMu.Lock()
		defer c.indexMu.Unlock()
		if c.index == nil { // still not ready (else it was made ready since, with the tag)
			if c.retag == nil {
				c.retag = map[string]struct{}{}
			}
			c.retag[ev.ID] = struct{}{}
			return nil
		}
		idx, err = c.index, nil
	}
	if err != nil {
		return err
	}
	return idx.Update(ev)
}

// retagLocked writes the noted events again into idx, which is about to
// become the case's index; the caller holds indexMu.
func (c *Case) retagLocked(idx *search.Index) error {
	for id := range c.retag {
		ev, err := c.store.Event(id)
		if err == nil {
			err = idx.Update(ev)
		}
		if err != nil {
			return err
		}
		delete(c.retag, id)
	}
	return nil
}

// waitRebuild waits for a rebuild in progress to end, telling waiting
// (when given) why first.
func (c *Case) waitRebuild(ctx context.Context, waiting func(why string)) error {
	c.indexMu.Lock()
	r := c.rebuild
	c.indexMu.Unlock()
	if r == nil {
		return nil
	}
	if waiting != nil {
		waiting("waiting for the search index to be brought up to date: it lacked events when the case was opened")
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
