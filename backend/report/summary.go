package report

import (
	"fmt"
	"strings"
	"time"

	"github.com/xuri/excelize/v2"
)

// The Summary sheet is one filterable table, Section | Item | Value, so it
// follows the rule of every sheet (bold frozen header, autofilter) and an
// auditor can filter it to one section. Its rows are bounded (top lists
// are capped; one row per day), so it is written cell by cell, not
// streamed; the by-day rows come last and feed the chart.

type summaryRow struct {
	section, item string
	value         any
}

// writeSummary fills the Summary sheet; evs and chs (nil when not written)
// tell which continuation sheets the events and changes went on to.
func (wb *workbook) writeSummary(s *Summary, evs, chs *table) error {
	rows := wb.summaryRows(s, evs, chs)
	f, sheet := wb.f, titleSummary
	for i, h := range []string{"Section", "Item", "Value"} {
		if err := wb.setCell(sheet, i+1, 1, h); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(sheet, "A1", "C1", wb.bold); err != nil {
		return err
	}
	dayStart := 0
	for i, r := range rows {
		n := i + 2
		if r.section == sectionByDay && dayStart == 0 {
			dayStart = n
		}
		for c, v := range []any{r.section, r.item, r.value} {
			if err := wb.setCell(sheet, c+1, n, v); err != nil {
				return err
			}
		}
	}
	last := len(rows) + 1
	for col, w := range map[string]float64{"A": 24, "B": 44, "C": 28} {
		if err := f.SetColWidth(sheet, col, col, w); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, frozenHeader); err != nil {
		return err
	}
	if err := f.AutoFilter(sheet, fmt.Sprintf("A1:C%d", last), nil); err != nil {
		return err
	}
	if dayStart == 0 {
		return nil
	}
	return wb.dayChart(dayStart, last)
}

const sectionByDay = "By day"

func (wb *workbook) summaryRows(s *Summary, evs, chs *table) []summaryRow {
	// The range and the time of writing, in the report's zone with their
	// offset: a bare date-time cell shows the wall clock it was given (UTC
	// here), unlabelled, beside a sheet of times in another zone.
	at := func(t time.Time) string { return t.In(wb.loc).Format("2006-01-02 15:04:05.000 -07:00") }
	open := func(t time.Time) any {
		if t.IsZero() {
			return "(open)"
		}
		return at(t)
	}
	query := s.Query
	if strings.TrimSpace(query) == "" {
		query = "(every event)"
	}
	rows := []summaryRow{
		{"Report", "Case", s.Case},
		{"Report", "Query", query},
		{"Report", "From", open(s.From)},
		{"Report", "To (exclusive)", open(s.To)},
		{"Report", "Generated", at(s.Generated)},
		{"Report", "auditlens version", s.Version},
		{"Report", "Activity log", logHead(s.LogHead)},
		{"Report", "Time zone", s.Zone},
		{"Totals", "Events", s.Events},
		{"Totals", "Changes", s.Changes},
		{"Totals", "Actors", s.Actors},
		{"Totals", "Sources", s.Sources},
	}
	if s.Events > 0 {
		rows = append(rows, summaryRow{"Totals", "First event", s.First}, summaryRow{"Totals", "Last event", s.Last})
	}
	for _, t := range []*table{evs, chs} {
		if t != nil && len(t.parts) > 1 {
			rows = append(rows, summaryRow{"Sheets", t.base + " continue on",
				fmt.Sprintf("%s (Excel holds %d rows a sheet)", strings.Join(t.names()[1:], ", "), MaxRows)})
		}
	}
	add := func(section string, cs []Count) {
		for _, c := range cs {
			key := c.Key
			if key == "" {
				key = "(none)"
			}
			rows = append(rows, summaryRow{section, key, c.N})
		}
	}
	add("By category", s.ByCategory)
	add("By outcome", s.ByOutcome)
	rows = append(rows, summaryRow{"Failed logins", "Access events with outcome failure", s.FailedLogins})
	add("Failed logins by actor", s.FailedActors)
	add("Failed logins by IP", s.FailedIPs)
	add("Top actors", s.TopActors)
	add("Top actions", s.TopActions)
	add("Top source IPs", s.TopIPs)
	add(sectionByDay, s.ByDay)
	return rows
}

// setCell writes one summary cell: text made safe, times as date-time
// cells in the report's zone.
func (wb *workbook) setCell(sheet string, col, row int, v any) error {
	ref, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		return err
	}
	switch x := v.(type) {
	case string:
		return wb.f.SetCellStr(sheet, ref, Text(x))
	case time.Time: // (cut to the millisecond it shows, as timeCell does)
		if err := wb.f.SetCellValue(sheet, ref, x.In(wb.loc).Truncate(time.Millisecond)); err != nil {
			return err
		}
		return wb.f.SetCellStyle(sheet, ref, ref, wb.date)
	}
	return wb.f.SetCellValue(sheet, ref, v)
}

// dayChart draws events per day as a column chart beside the table.
func (wb *workbook) dayChart(from, to int) error {
	ref := func(col string) string { return fmt.Sprintf("'%s'!$%s$%d:$%s$%d", titleSummary, col, from, col, to) }
	return wb.f.AddChart(titleSummary, "E2", &excelize.Chart{
		Type: excelize.Col,
		// A series name is a reference: the "By day" cell of the first row.
		Series:    []excelize.ChartSeries{{Name: fmt.Sprintf("'%s'!$A$%d", titleSummary, from), Categories: ref("B"), Values: ref("C")}},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Events per day (" + zoneName(wb.loc) + ")"}}},
		Legend:    excelize.ChartLegend{Position: "none"},
		Dimension: excelize.ChartDimension{Width: 720, Height: 360},
	})
}

// logHead cites the case's activity log, so the report can be tied to the
// imports it stands on (auditlens log --case … shows the chain).
func logHead(h string) string {
	if h == "" {
		return "(not recorded)"
	}
	return h
}
