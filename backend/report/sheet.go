package report

import (
	"fmt"

	"github.com/xuri/excelize/v2"
)

// column is one column of a table: its header and width (in characters).
type column struct {
	title string
	width float64
}

// table streams the rows of one logical sheet ("Events") onto as many
// worksheets as Excel's row limit needs ("Events", "Events (2)", …), each
// with the same bold, frozen header row and an autofilter.
type table struct {
	wb    *workbook
	base  string
	cols  []column
	parts []*part
}

// part is one worksheet of a table.
type part struct {
	name string
	sw   *excelize.StreamWriter
	rows int // written so far, the header included
}

func (wb *workbook) newTable(name string, cols []column) (*table, error) {
	t := &table{wb: wb, base: name, cols: cols}
	wb.tables = append(wb.tables, t)
	return t, t.next() // the first sheet exists even when no row comes
}

// row appends one row; values must not be retained by the caller's next
// call (StreamWriter copies them out at once). Empty strings are left out:
// a missing cell reads as empty, and costs nothing to write.
func (t *table) row(values []any) error {
	for i, v := range values {
		if s, ok := v.(string); ok && s == "" {
			values[i] = nil
		}
	}
	p := t.parts[len(t.parts)-1]
	if p.rows >= MaxRows {
		if err := t.next(); err != nil {
			return err
		}
		p = t.parts[len(t.parts)-1]
	}
	p.rows++
	cell, err := excelize.CoordinatesToCellName(1, p.rows)
	if err != nil {
		return err
	}
	return p.sw.SetRow(cell, values)
}

func (t *table) names() []string {
	out := make([]string, len(t.parts))
	for i, p := range t.parts {
		out[i] = p.name
	}
	return out
}

// next starts the table's next worksheet. Widths and panes must be set
// before the first row is streamed.
func (t *table) next() error {
	t.wb.mu.Lock()
	defer t.wb.mu.Unlock()
	name := t.base
	if len(t.parts) > 0 {
		name = fmt.Sprintf("%s (%d)", t.base, len(t.parts)+1)
	}
	if err := t.wb.newSheet(name); err != nil {
		return err
	}
	sw, err := t.wb.f.NewStreamWriter(name)
	if err != nil {
		return err
	}
	for i, c := range t.cols {
		if err := sw.SetColWidth(i+1, i+1, c.width); err != nil {
			return err
		}
	}
	if err := sw.SetPanes(frozenHeader); err != nil {
		return err
	}
	header := make([]any, len(t.cols))
	for i, c := range t.cols {
		header[i] = excelize.Cell{StyleID: t.wb.bold, Value: c.title}
	}
	if err := sw.SetRow("A1", header); err != nil {
		return err
	}
	t.parts = append(t.parts, &part{name: name, sw: sw, rows: 1})
	return nil
}

// finish puts the autofilter over each part and ends its stream. It runs
// after the sheets are in their final order: the autofilter's defined name
// refers to the sheet by its position.
func (t *table) finish() error {
	for _, p := range t.parts {
		last, err := excelize.CoordinatesToCellName(len(t.cols), p.rows)
		if err != nil {
			return err
		}
		if err := t.wb.f.AutoFilter(p.name, "A1:"+last, nil); err != nil {
			return err
		}
		if err := p.sw.Flush(); err != nil {
			return err
		}
	}
	return nil
}

// frozenHeader keeps row 1 in view while scrolling.
var frozenHeader = &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft",
	Selection: []excelize.Selection{{SQRef: "A2", ActiveCell: "A2", Pane: "bottomLeft"}}}
