package service

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// Report writes the Excel workbook of the events matching q to w (see
// package report), with the provenance of every source of the case. The
// case's name, the query and its range are filled into opts.
func (c *Case) Report(ctx context.Context, q audit.Query, opts report.Options, w io.Writer) (*report.Summary, error) {
	return c.report(ctx, q, opts, w, nil)
}

// report is Report, calling progress (when set) with the number of events
// written so far, every thousand and at the end.
func (c *Case) report(ctx context.Context, q audit.Query, opts report.Options, w io.Writer, progress func(int)) (*report.Summary, error) {
	sources, err := c.Sources()
	if err != nil {
		return nil, err
	}
	if opts.Case == "" {
		opts.Case = filepath.Base(filepath.Clean(c.Dir))
	}
	opts.Query, opts.From, opts.To = q.Text, q.From, q.To
	if head, n, err := c.LogHead(); err == nil && head != "" {
		opts.LogHead = fmt.Sprintf("entry #%d, %s", n, head)
		if c.readOnly {
			opts.LogHead += " (the case was read-only: this report is not in its log)"
		}
	}
	events := c.events(ctx, q, true)
	if progress == nil {
		return report.Write(w, events, sources, opts)
	}
	n := 0
	counted := func(yield func(*audit.Event, error) bool) {
		events(func(ev *audit.Event, err error) bool {
			if err == nil {
				if n++; n%1000 == 0 {
					progress(n)
				}
			}
			return yield(ev, err)
		})
	}
	sum, err := report.Write(w, counted, sources, opts)
	progress(n)
	return sum, err
}

// Export writes the events matching q to w as format (csv or ndjson),
// streaming whatever their number, and returns how many it wrote.
func (c *Case) Export(ctx context.Context, q audit.Query, format string, w io.Writer) (int, error) {
	return report.Export(w, format, c.events(ctx, q, format == "csv"))
}

// errStop ends a Scan whose consumer stopped reading.
var errStop = errors.New("stop")

// events reads the matches of q as an iterator, newest first, page by page
// (Scan): an error of the search comes as the iterator's last pair, and so
// does ctx ending (checked every thousand events), with its cause.
func (c *Case) events(ctx context.Context, q audit.Query, noRaw bool) report.Events {
	return func(yield func(*audit.Event, error) bool) {
		n := 0
		err := c.scan(q, noRaw, func(ev *audit.Event) error {
			if n++; n%1000 == 0 && ctx.Err() != nil {
				return fmt.Errorf("stopped before its end (%w)", context.Cause(ctx))
			}
			if !yield(ev, nil) {
				return errStop
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStop) {
			yield(nil, err)
		}
	}
}
