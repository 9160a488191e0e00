package service

import (
	"context"
	"fmt"

	"auditlens/backend/audit"
	"auditlens/backend/search"
)

// A rebuild brings the search index up to the database in the background
// (OpenServing): after a killed import, or for an index that was removed or
// is of an older mapping, which at a million events takes minutes. Until it
// is done the case's index stays nil, so words() answers ECONFLICT with the
// progress while the database answers every query on fields; an import or
// a reindex waits for it. A tag changed meanwhile stays noted in the
// database and its event is written again at the end, since the rebuild
// may have read it before. Nothing adds events meanwhile (an import here
// waits; one elsewhere finds the index held), so newest - from is how many
// it indexes.
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
	idx, fresh, err := c.openSearch()
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
		if err := c.writePending(idx); err != nil {
			idx.Close()
			return err
		}
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
		if e := c.writePending(idx); err == nil {
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

// indexTags writes again the search documents of events whose tags
// changed (the database notes them stale with the change, in
// store.IndexPending). While the index cannot take them (a rebuild runs, or
// another process holds the index) they stay noted, and whoever next holds
// the index writes them (writePending).
func (c *Case) indexTags() error {
	idx, err := c.words()
	if audit.ErrorCode(err) == audit.ECONFLICT {
		return nil
	}
	if err != nil {
		return err
	}
	return c.writePending(idx)
}

// writePending writes the documents of the events noted stale into idx:
// the case's index, or the one about to become it.
func (c *Case) writePending(idx *search.Index) error {
	pending, err := c.store.IndexPending()
	if err != nil {
		return err
	}
	for _, p := range pending {
		ev, err := c.store.Event(p.EventID)
		if err == nil {
			err = idx.Update(p.Seq, ev)
		}
		if err == nil || audit.ErrorCode(err) == audit.ENOTFOUND {
			err = c.store.IndexWritten(p)
		}
		if err != nil {
			return err
		}
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
