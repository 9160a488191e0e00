package service

import "auditlens/backend/search"

// indexer writes batches into the search index on its own goroutine, so
// that reading and storing the next batch overlaps with indexing this one.
// Batches are committed in order, each with its watermark.
type indexer struct {
	idx  *search.Index
	jobs chan indexJob
	done chan error
}

type indexJob struct {
	docs      []search.Doc
	watermark int64
}

func startIndexer(idx *search.Index) *indexer {
	x := &indexer{idx: idx, jobs: make(chan indexJob, 1), done: make(chan error, 1)}
	go x.run()
	return x
}

// syncEvery makes every so many batches durable: Bleve's unsynced batches
// pile up in memory while its persister lags, so waiting for it now and then
// keeps the import's memory flat whatever the input size.
const syncEvery = 8

// inFlight is how many batches are indexed at once: scorch builds a batch's
// segment on one core, so a second batch keeps the other busy.
const inFlight = 2

// run indexes the queued batches, up to inFlight at once. The watermark
// moves in a batch of its own once a batch and every one before it are in
// the index, so after a crash it never claims a batch that is not.
func (x *indexer) run() {
	type pending struct {
		watermark int64
		done      chan error
	}
	var err error
	var last int64
	var queue []pending
	n := 0
	complete := func() {
		p := queue[0]
		queue = queue[1:]
		if e := <-p.done; err == nil && e != nil {
			err = e
		}
		if err == nil {
			n++
			err = x.idx.NewBatch().Commit(p.watermark, n%syncEvery == 0)
			last = p.watermark
		}
	}
	for job := range x.jobs {
		if err != nil {
			continue // drain; the first error is reported
		}
		if len(queue) == inFlight {
			complete()
		}
		p := pending{job.watermark, make(chan error, 1)}
		go func(docs []search.Doc) { p.done <- x.write(docs) }(job.docs)
		queue = append(queue, p)
	}
	for len(queue) > 0 {
		complete()
	}
	if err == nil && last > 0 {
		// Batches are not synced one by one; the end of a run is.
		err = x.idx.NewBatch().Commit(last, true)
	}
	x.done <- err
}

// write indexes docs in one batch, without moving the watermark.
func (x *indexer) write(docs []search.Doc) error {
	b := x.idx.NewBatch()
	for _, d := range docs {
		if err := b.Add(d.Seq, d.Event); err != nil {
			return err
		}
	}
	return b.Write()
}

// add queues a batch; it blocks while the previous one is still indexing.
func (x *indexer) add(docs []search.Doc, watermark int64) {
	x.jobs <- indexJob{docs, watermark}
}

// wait finishes the queued batches and returns the first error.
func (x *indexer) wait() error {
	close(x.jobs)
	return <-x.done
}
