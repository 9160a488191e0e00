package report

import (
	"strings"
	"time"

	"github.com/xuri/excelize/v2"

	"auditlens/backend/audit"
)

func eventColumns(loc *time.Location) []column {
	return append(timeColumns(loc), []column{{"Actor", 30}, {"Action", 32}, {"Category", 14},
		{"Outcome", 10}, {"Targets", 40}, {"IP", 16}, {"User agent", 30}, {"Message", 60}, {"Source", 30},
		{"Tags", 20}, {"Notes", 40}, {"Event ID", 26}}...)
}

func changeColumns(loc *time.Location) []column {
	return append(timeColumns(loc), []column{{"Actor", 30}, {"Action", 32}, {"Target", 40},
		{"Path", 30}, {"Before", 40}, {"After", 40}, {"Event ID", 26}}...)
}

// timeColumns are an event's time in the report's zone and, unless that
// is UTC, its offset from UTC: in the hour a clock goes back twice
// (2025-11-02 01:30 in New York) the wall time alone names two moments.
func timeColumns(loc *time.Location) []column {
	cols := []column{{"Time (" + zoneName(loc) + ")", 24}}
	if hasOffsets(loc) {
		cols = append(cols, column{"UTC offset", 10})
	}
	return cols
}

func hasOffsets(loc *time.Location) bool { return loc.String() != "UTC" }

// rowWriter turns each event into its Events row and its Changes rows,
// reusing one slice per table (StreamWriter copies the values out).
type rowWriter struct {
	wb              *workbook
	events, changes *table
	erow, crow      []any
}

// queue is how many events wait between the stages of run.
const queue = 256

// run writes the rows of every event, in three stages on their own
// goroutines, so that two cores share the work: reading the events (the
// database), their Events rows (with the aggregates), their Changes rows.
// The first error stops all three.
func (r *rowWriter) run(events Events, agg *aggregate) error {
	in := make(chan *audit.Event, queue)
	stop := make(chan struct{})
	readErr := make(chan error, 1)
	go func() {
		defer close(in)
		for ev, err := range events {
			if err != nil {
				readErr <- err
				return
			}
			select {
			case in <- ev:
			case <-stop:
				readErr <- nil
				return
			}
		}
		readErr <- nil
	}()
	var changes chan *audit.Event
	changesErr := make(chan error, 1)
	if r.changes != nil {
		changes = make(chan *audit.Event, queue)
		go func() {
			var err error
			for ev := range changes {
				if err == nil {
					err = r.changeRows(ev)
				}
			}
			changesErr <- err
		}()
	} else {
		changesErr <- nil
	}
	var err error
	for ev := range in {
		if err != nil {
			continue // draining after stop
		}
		agg.add(ev)
		if err = r.eventRow(ev); err != nil {
			close(stop)
			continue
		}
		if changes != nil && len(ev.Changes) > 0 {
			changes <- ev
		}
	}
	if changes != nil {
		close(changes)
	}
	if e := <-changesErr; err == nil {
		err = e
	}
	if e := <-readErr; err == nil {
		err = e
	}
	return err
}

func (r *rowWriter) eventRow(ev *audit.Event) error {
	if r.events == nil {
		return nil
	}
	r.erow = append(r.wb.timeCells(r.erow[:0], ev.Time, ev.TimeNoZone), Text(ev.Actor.Label()), Text(ev.Action), Text(ev.Category),
		Text(ev.Outcome), Text(Targets(ev.Targets)), Text(ev.IP), Text(ev.UserAgent), Text(ev.Message),
		Text(SourceName(ev.Source)), Text(strings.Join(ev.Tags, ", ")), Text(noteTexts(ev.Notes)), Text(ev.ID))
	return r.events.row(r.erow)
}

func (r *rowWriter) changeRows(ev *audit.Event) error {
	actor, action := Text(ev.Actor.Label()), Text(ev.Action)
	targets := Text(Targets(ev.Targets))
	for _, c := range ev.Changes {
		r.crow = append(r.wb.timeCells(r.crow[:0], ev.Time, ev.TimeNoZone), actor, action, targets, Text(c.Path),
			Text(Value(c.Before)), Text(Value(c.After)), Text(ev.ID))
		if err := r.changes.row(r.crow); err != nil {
			return err
		}
	}
	return nil
}

// timeCell is a real date-time cell showing t's wall clock in the report's
// zone (excelize stores the local wall time as the serial number), to the
// millisecond. The value is cut to the millisecond it shows: Excel rounds
// what it does not show, and 23:59:59.900 on New Year's Eve read as the
// next year's first second, on a day the By day rows did not count it.
func (wb *workbook) timeCell(t time.Time) any {
	if t.IsZero() {
		return ""
	}
	return excelize.Cell{StyleID: wb.date, Value: t.In(wb.loc).Truncate(time.Millisecond)}
}

// timeCells appends t's cells of timeColumns to row. Where the record gave
// its time no zone (noZone: read as UTC), the offset says so, rather than
// lend the time a zone it never had.
func (wb *workbook) timeCells(row []any, t time.Time, noZone bool) []any {
	row = append(row, wb.timeCell(t))
	if hasOffsets(wb.loc) {
		off := ""
		if !t.IsZero() {
			off = t.In(wb.loc).Format("-07:00")
		}
		if noZone {
			off += " (the record gave no zone: read as UTC)"
		}
		row = append(row, Text(off))
	}
	return row
}

// Targets renders targets as "type:name; …" (the name, or the id when the
// target has no name).
func Targets(ts []audit.Target) string {
	switch len(ts) {
	case 0:
		return ""
	case 1:
		return target(ts[0])
	}
	var b strings.Builder
	for i, t := range ts {
		if i > 0 {
			b.WriteString("; ")
		}
		b.WriteString(target(t))
	}
	return b.String()
}

func target(t audit.Target) string {
	if t.Type == "" {
		return t.Label()
	}
	return t.Type + ":" + t.Label()
}

// SourceName is the file an event came from, "archive!member" for a
// member of an archive.
func SourceName(s audit.SourceRef) string {
	if s.Member != "" {
		return s.Name + "!" + s.Member
	}
	return s.Name
}

// noteTexts joins an event's notes, one a line.
func noteTexts(notes []audit.Note) string {
	var b strings.Builder
	for i, n := range notes {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(n.Text)
	}
	return b.String()
}
