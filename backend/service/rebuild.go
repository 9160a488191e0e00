package service

import (
	"context"
	"fmt"
	"path/filepath"
	"sync/atomic"

	"auditlens/backend/audit"
	"auditlens/backend/search"
)

// A rebuild brings the search index up to the database in the background
// (OpenServing): after a killed import, or for an index that was removed or
// is of an older mapping, which at a million events takes minutes. Until it
// is done the case's index stays nil, so words() answers ECONFLICT with the
// progress while the database answers every query on fields; an import or
// a reindex waits for it. A tag changed meanwhile is noted and its event
// written again at the end, since the rebuild may have read it before.
type rebuild struct {
	newest atomic.Int64        // the seq it indexes up to
	from   int64               // the seq it started after
	retag  map[string]struct{} // events whose tags changed meanwhile (under indexMu)
	done   chan struct{}       // closed when it ends
	err    error               // why it failed, once done (under indexMu)
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
	r := &rebuild{from: startOf(idx, fresh), retag: map[string]struct{}{}, done: make(chan struct{})}
	newest, err := c.store.MaxSeq()
	if err != nil {
		idx.Close()
		return err
	}
	if newest <= r.from {
		c.index = idx
		return nil
	}
	r.newest.Store(newest)
	c.rebuild = r
	c.background(func(ctx context.Context) {
		err := c.catchUp(ctx, idx, r.from, r.newest.Store)
		if err == nil {
			err = rebuildCaughtUp(ctx)
		}
		c.indexMu.Lock()
		defer c.indexMu.Unlock()
		defer close(r.done)
		// Even when stopped (the case closed): the next open catches up
		// from the watermark, and would not see these again.
		for id := range r.retag {
			ev, e := c.store.Event(id)
			if e == nil {
				e = idx.Update(ev)
			}
			if err == nil {
				err = e
			}
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
		c.caughtUp.Load(), r.newest.Load()-r.from)
}

// indexEvent writes ev's search document again (its tags changed). During
// a rebuild it is noted, and written when the rebuild ends.
func (c *Case) indexEvent(ev *audit.Event) error {
	c.indexMu.Lock()
	if r := c.rebuild; r != nil && r.err == nil {
		r.retag[ev.ID] = struct{}{}
		c.indexMu.Unlock()
		return nil
	}
	c.indexMu.Unlock()
	idx, err := c.words()
	if err != nil {
		return err
	}
	return idx.Update(ev)
}

// waitRebuild waits for a rebuild in progress to end.
func (c *Case) waitRebuild(ctx context.Context) error {
	c.indexMu.Lock()
	r := c.rebuild
	c.indexMu.Unlock()
	if r == nil {
		return nil
	}
	select {
	case <-r.done:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
