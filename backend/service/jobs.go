package service

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/demo"
)

// ImportJob is an import running in the background, for the UI to follow.
type ImportJob struct {
	ID       string         `json:"id"`
	State    string         `json:"state"` // running, done, stopped (by StopImport), failed
	Paths    []string       `json:"paths"`
	Started  time.Time      `json:"started"`
	Progress ImportProgress `json:"progress"`
	Rate     float64        `json:"rate"` // events per second so far
	Summary  *ImportSummary `json:"summary,omitempty"`
	Error    string         `json:"error,omitempty"`

	stop context.CancelCauseFunc // set, and read by StopImport, under jobs.mu
}

type jobs struct {
	mu   sync.Mutex
	next int
	byID map[string]*ImportJob
}

// errStopped is why an import or report stopped by the user ended.
var errStopped = errors.New("stopped by the user")

// StartImport imports paths in the background and returns the job to poll.
func (c *Case) StartImport(paths []string, format string) *ImportJob {
	c.jobs.mu.Lock()
	if c.jobs.byID == nil {
		c.jobs.byID = map[string]*ImportJob{}
	}
	c.jobs.next++
	job := &ImportJob{ID: fmt.Sprintf("import-%d", c.jobs.next), State: "running", Paths: paths, Started: time.Now().UTC()}
	c.jobs.byID[job.ID] = job
	defer c.jobs.mu.Unlock()
	job.stop = c.background(func(ctx context.Context) {
		sum, err := c.Import(paths, ImportOptions{Format: format, Context: ctx, Progress: func(p ImportProgress) {
			c.jobs.mu.Lock()
			job.Progress = p
			if s := p.Elapsed.Seconds(); s > 0 {
				job.Rate = float64(p.Events) / s
			}
			c.jobs.mu.Unlock()
		}})
		c.jobs.mu.Lock()
		job.Summary = sum
		if sum != nil {
			job.Progress.Events, job.Progress.Duplicates, job.Progress.Rejected = sum.Events, sum.Duplicates, sum.Rejected
			job.Progress.Sources = len(sum.Sources)
		}
		job.State, job.Error = endState(err)
		c.jobs.mu.Unlock()
		// The new events' times and ids, and the keys of the index's new
		// snapshot, are read now rather than by the next search.
		c.warm(ctx)
	})
	cp := *job
	return &cp
}

// endState is the state of a job that ended with err, and its error text.
func endState(err error) (state, msg string) {
	switch {
	case errors.Is(err, errStopped):
		return "stopped", err.Error()
	case err != nil:
		return "failed", err.Error()
	}
	return "done", ""
}

// StopImport ends a running import at its next read: what it stored stays
// (and is logged), and the job ends as "stopped". Stopping an import that
// has ended changes nothing.
func (c *Case) StopImport(id string) (*ImportJob, error) {
	c.jobs.mu.Lock()
	job, ok := c.jobs.byID[id]
	if ok {
		job.stop(errStopped) // nothing, once it has ended
	}
	c.jobs.mu.Unlock()
	if !ok {
		return nil, audit.Errorf(audit.ENOTFOUND, "no import %q", id)
	}
	return job.snapshot(&c.jobs.mu), nil
}

// Job returns a copy of an import job's state.
func (c *Case) Job(id string) (*ImportJob, bool) {
	c.jobs.mu.Lock()
	job, ok := c.jobs.byID[id]
	c.jobs.mu.Unlock()
	if !ok {
		return nil, false
	}
	return job.snapshot(&c.jobs.mu), true
}

func (j *ImportJob) snapshot(mu *sync.Mutex) *ImportJob {
	mu.Lock()
	defer mu.Unlock()
	cp := *j
	return &cp
}

// StartDemo writes a demo export archive into the case's uploads folder and
// imports it in the background: the "open the demo case" of an empty case.
func (c *Case) StartDemo(events int, seed uint64) (*ImportJob, error) {
	if err := c.Writes("import a demo"); err != nil {
		return nil, err
	}
	if events <= 0 || events > 2000000 {
		return nil, audit.Errorf(audit.EINVALID, "a demo has from 1 to 2,000,000 events")
	}
	dir := filepath.Join(c.Dir, "uploads")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	zip := filepath.Join(dir, fmt.Sprintf("demo-%d-seed%d.zip", events, seed))
	if err := demo.WriteZip(demo.Options{Events: events, Seed: seed}, zip); err != nil {
		return nil, err
	}
	return c.StartImport([]string{zip}, ""), nil
}
