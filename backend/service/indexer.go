package service

import (
	"auditlens/backend/audit"
	"auditlens/backend/search"
)

// indexer writes batches into the search index on its own goroutine, so
// that reading and storing the next batch overlaps with indexing this one.
// Batches are committed in order, each with its watermark.
type indexer struct {
	idx  *search.Index
	jobs chan indexJob
	done chan error
}

type indexJob struct {
	events    []*audit.Event
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
const syncEvery = 10

func (x *indexer) run() {
	var err error
	var last int64
	n := 0
	for job := range x.jobs {
		if err != nil {
			continue // drain; the first error is reported
		}
		b := x.idx.NewBatch()
		for _, ev := range job.events {
			if err = b.Add(ev); err != nil {
				break
			}
		}
		if err == nil {
			n++
			err = b.Commit(job.watermark, n%syncEvery == 0)
			last = job.watermark
		}
	}
	if err == nil && last > 0 {
		// Batches are not synced one by one; the end of a run is.
		err = x.idx.NewBatch().Commit(last, true)
	}
	x.done <- err
}

// add queues a batch; it blocks while the previous one is still indexing.
func (x *indexer) add(events []*audit.Event, watermark int64) {
	x.jobs <- indexJob{events, watermark}
}

// wait finishes the queued batches and returns the first error.
func (x *indexer) wait() error {
	close(x.jobs)
	return <-x.done
}
