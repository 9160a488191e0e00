package report

import (
	"archive/zip"
	"io"
	"sync"
	"time"
	_ "time/tzdata" // --tz Europe/Berlin works on a machine without a zone database

	"github.com/xuri/excelize/v2"

	"auditlens/backend/audit"
)

// Sheet titles, as the workbook shows them.
const (
	titleSummary = "Summary"
	titleEvents  = "Events"
	titleChanges = "Changes"
	titleActors  = "Actors"
	titleSources = "Sources"
)

// workbook is a report being written.
type workbook struct {
	f      *excelize.File
	opts   Options
	loc    *time.Location
	bold   int // style of header cells
	date   int // style of date-time cells
	sheets int // sheets created so far
	tables []*table
	mu     sync.Mutex // Events and Changes stream on their own goroutines; new sheets one at a time
}

// Write writes the workbook of events to w and returns what it found. The
// events are read once, streaming: Events and Changes rows go to disk-backed
// streams as they come, while the Summary and Actors aggregates grow in
// maps keyed by actor, action, IP and day.
func Write(w io.Writer, events Events, sources []audit.Source, opts Options) (*Summary, error) {
	wb, err := newWorkbook(opts)
	if err != nil {
		return nil, err
	}
	defer wb.f.Close() // removes the streams' temporary files
	if opts.wants(SheetSummary) {
		if err := wb.newSheet(titleSummary); err != nil {
			return nil, err
		}
	}
	var evs, chs, act, src *table
	if opts.wants(SheetEvents) {
		if evs, err = wb.newTable(titleEvents, eventColumns(wb.loc)); err != nil {
			return nil, err
		}
	}
	if opts.wants(SheetChanges) {
		if chs, err = wb.newTable(titleChanges, changeColumns(wb.loc)); err != nil {
			return nil, err
		}
	}
	if opts.wants(SheetActors) {
		if act, err = wb.newTable(titleActors, actorColumns(wb.loc)); err != nil {
			return nil, err
		}
	}
	if opts.wants(SheetSources) {
		if src, err = wb.newTable(titleSources, sourceColumns(wb.loc)); err != nil {
			return nil, err
		}
	}

	agg := newAggregate(wb.loc)
	rw := &rowWriter{wb: wb, events: evs, changes: chs}
	if err := rw.run(events, agg); err != nil {
		return nil, err
	}
	if act != nil {
		if err := wb.writeActors(act, agg); err != nil {
			return nil, err
		}
	}
	cited := reportSources(sources, agg.bySource, opts.Query == "" && opts.From.IsZero() && opts.To.IsZero())
	if src != nil {
		if err := wb.writeSources(src, cited, agg.bySource); err != nil {
			return nil, err
		}
	}

	sum := agg.summary(opts, wb.loc)
	sum.Sources = len(cited)
	if err := wb.arrange(); err != nil {
		return nil, err
	}
	sum.Sheets = wb.f.GetSheetList()
	if opts.wants(SheetSummary) {
		if err := wb.writeSummary(sum, evs, chs); err != nil {
			return nil, err
		}
	}
	for _, t := range wb.tables {
		if err := t.finish(); err != nil {
			return nil, err
		}
	}
	return sum, wb.save(w)
}

func newWorkbook(opts Options) (*workbook, error) {
	f := excelize.NewFile(excelize.Options{TmpDir: opts.TempDir})
	wb := &workbook{f: f, opts: opts, loc: opts.loc()}
	var err error
	if wb.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}}}); err != nil {
		f.Close()
		return nil, err
	}
	dateFmt := "yyyy-mm-dd hh:mm:ss.000"
	if wb.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &dateFmt}); err != nil {
		f.Close()
		return nil, err
	}
	return wb, nil
}

// newSheet adds a worksheet at the end; the first one takes the place of
// the blank "Sheet1" a new file comes with.
func (wb *workbook) newSheet(name string) error {
	wb.sheets++
	if wb.sheets == 1 {
		return wb.f.SetSheetName("Sheet1", name)
	}
	_, err := wb.f.NewSheet(name)
	return err
}

// arrange puts the sheets in reading order: Summary, every Events part,
// every Changes part, Actors, Sources. Continuation sheets are created
// while streaming, after the sheets that follow them, so they move back.
func (wb *workbook) arrange() error {
	var want []string
	if wb.opts.wants(SheetSummary) {
		want = append(want, titleSummary)
	}
	for _, t := range wb.tables {
		want = append(want, t.names()...)
	}
	for i := len(want) - 2; i >= 0; i-- {
		if err := wb.moveBefore(want[i], want[i+1]); err != nil {
			return err
		}
	}
	wb.f.SetActiveSheet(0)
	return nil
}

// moveBefore moves sheet a to just before b, unless it is there already
// (MoveSheet ungroups every sheet, which needs no doing when nothing moves).
func (wb *workbook) moveBefore(a, b string) error {
	ia, err := wb.f.GetSheetIndex(a)
	if err != nil {
		return err
	}
	ib, err := wb.f.GetSheetIndex(b)
	if err != nil {
		return err
	}
	if ia == ib-1 {
		return nil
	}
	return wb.f.MoveSheet(a, b)
}

// save writes the zip. excelize's Write assembles the whole file in a
// bytes.Buffer first, which for a million events is hundreds of megabytes;
// its ZipWriter hook sends the zip straight to w instead, and the buffer it
// fills stays empty. (What that costs: excelize marks a part over 4 GiB as
// zip64 by patching that buffer, so such a part, a sheet of a million
// rows of near-full cells, would not be marked.) BestSpeed: the XML
// compresses well either way, and the default level takes longer.
func (wb *workbook) save(w io.Writer) error {
	wb.f.SetZipWriter(func(io.Writer) excelize.ZipWriter {
		zw := zip.NewWriter(w)
		zw.RegisterCompressor(zip.Deflate, func(out io.Writer) (io.WriteCloser, error) {
			return newParallelDeflate(out), nil
		})
		return zw
	})
	return wb.f.Write(io.Discard)
}
