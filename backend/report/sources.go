package report

import (
	"time"

	"auditlens/backend/audit"
)

func sourceColumns(loc *time.Location) []column {
	return []column{{"Path", 60}, {"Archive member", 40}, {"Size (bytes)", 14}, {"SHA-256", 68},
		{"Format", 22}, {"Events", 10}, {"In this report", 14}, {"Duplicates", 12}, {"Rejected", 10},
		{"Imported (" + zoneName(loc) + ")", 20}, {"Importer version", 16}, {"Problem", 40}}
}

// reportSources are the sources a report cites: for a report of every
// event, every source (those that gave none, or failed, included); for a
// query or a range, those its events come from and the archives they were
// read out of, so a filtered report does not claim files it holds nothing of.
func reportSources(sources []audit.Source, bySource map[int64]int, everything bool) []audit.Source {
	if everything {
		return sources
	}
	keep := map[int64]bool{}
	parent := map[int64]int64{}
	for _, s := range sources {
		parent[s.ID] = s.ParentID
	}
	for id, n := range bySource {
		for ; n > 0 && id != 0 && !keep[id]; id = parent[id] {
			keep[id] = true
		}
	}
	var out []audit.Source
	for _, s := range sources {
		if keep[s.ID] {
			out = append(out, s)
		}
	}
	return out
}

// writeSources writes the provenance of the imported files: what an
// auditor needs to show that the report's events come from these files,
// byte for byte (the SHA-256 can be checked against the originals), and
// how many of the report's events each gave.
func (wb *workbook) writeSources(t *table, sources []audit.Source, bySource map[int64]int) error {
	row := make([]any, 0, 12)
	for _, s := range sources {
		row = append(row[:0], Text(s.Path), Text(s.Member), s.Size, Text(s.SHA256), Text(s.Format),
			s.Events, bySource[s.ID], s.Duplicates, s.Rejected, wb.timeCell(s.ImportedAt), Text(s.ImporterVersion), Text(s.Failed))
		if err := t.row(row); err != nil {
			return err
		}
	}
	return nil
}
