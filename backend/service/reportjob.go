package service

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// ReportJob is a report being written in the background, for the UI.
type ReportJob struct {
	ID      string    `json:"id"`
	State   string    `json:"state"` // running, done, stopped (by StopReport), failed
	Path    string    `json:"path"`  // where the workbook is (being) written
	Written int       `json:"written"`
	Total   uint64    `json:"total"` // matching events
	Started time.Time `json:"started"`
	Error   string    `json:"error,omitempty"`

	stop context.CancelCauseFunc // set, and read by StopReport, under reports.mu
}

type reportJobs struct {
	mu   sync.Mutex
	next int
	byID map[string]*ReportJob
}

// StartReport writes the report of q to path in the background ("" = the
// case's reports/ folder, or a folder of the system's temporary files for a
// read-only case). The file appears only when complete.
func (c *Case) StartReport(q audit.Query, opts report.Options, path string) (*ReportJob, error) {
	res, err := c.Search(audit.Query{Text: q.Text, From: q.From, To: q.To, Limit: 1})
	if err != nil {
		return nil, err
	}
	if path == "" {
		dir, perm := filepath.Join(c.Dir, "reports"), os.FileMode(0o755)
		if c.readOnly { // (downloaded from there all the same)
			dir, perm = filepath.Join(os.TempDir(), "auditlens-reports"), 0o700
		}
		if err := os.MkdirAll(dir, perm); err != nil {
			return nil, err
		}
		path = filepath.Join(dir, "audit-report-"+time.Now().UTC().Format("20060102-150405")+".xlsx")
	}
	r := &c.reports
	r.mu.Lock()
	if r.byID == nil {
		r.byID = map[string]*ReportJob{}
	}
	r.next++
	job := &ReportJob{ID: fmt.Sprintf("report-%d", r.next), State: "running", Path: path, Total: res.Total, Started: time.Now().UTC()}
	r.byID[job.ID] = job
	job.stop = c.background(func(ctx context.Context) {
		err := c.writeReport(ctx, q, opts, path, func(n int) {
			r.mu.Lock()
			job.Written = n
			r.mu.Unlock()
		})
		r.mu.Lock()
		defer r.mu.Unlock()
		job.State, job.Error = endState(err)
	})
	r.mu.Unlock()
	return c.ReportJob(job.ID)
}

// StopReport ends a running report at its next thousand events; no file is
// left. Stopping a report that has ended changes nothing.
func (c *Case) StopReport(id string) (*ReportJob, error) {
	c.reports.mu.Lock()
	if job, ok := c.reports.byID[id]; ok {
		job.stop(errStopped) // nothing, once it has ended
	}
	c.reports.mu.Unlock()
	return c.ReportJob(id)
}

// ReportJob returns a copy of a report job's state.
func (c *Case) ReportJob(id string) (*ReportJob, error) {
	c.reports.mu.Lock()
	defer c.reports.mu.Unlock()
	job, ok := c.reports.byID[id]
	if !ok {
		return nil, audit.Errorf(audit.ENOTFOUND, "no report %q", id)
	}
	cp := *job
	return &cp, nil
}

// writeReport writes to a temporary file beside path, then renames it: a
// failed report never leaves half a file under the chosen name.
func (c *Case) writeReport(ctx context.Context, q audit.Query, opts report.Options, path string, progress func(int)) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".auditlens-report-*.xlsx")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if opts.TempDir == "" {
		opts.TempDir = filepath.Dir(path)
	}
	sum, err := c.report(ctx, q, opts, f, progress)
	if err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return err
	}
	return c.LogWrite("report", q, path, sum.Events)
}
