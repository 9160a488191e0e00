package report

import (
	"time"

	"auditlens/backend/audit"
)

func sourceColumns(loc *time.Location) []column {
	return []column{{"Path", 60}, {"Archive member", 40}, {"Size (bytes)", 14}, {"SHA-256", 68},
		{"Format", 22}, {"Events", 10}, {"Duplicates", 12}, {"Rejected", 10},
		{"Imported (" + zoneName(loc) + ")", 20}, {"Importer version", 16}, {"Problem", 40}}
}

// writeSources writes the provenance of every imported file: what an
// auditor needs to show that the report's events come from these files,
// byte for byte (the SHA-256 can be checked against the originals).
func (wb *workbook) writeSources(t *table, sources []audit.Source) error {
	row := make([]any, 0, 11)
	for _, s := range sources {
		row = append(row[:0], Text(s.Path), Text(s.Member), s.Size, Text(s.SHA256), Text(s.Format),
			s.Events, s.Duplicates, s.Rejected, wb.timeCell(s.ImportedAt), Text(s.ImporterVersion), Text(s.Failed))
		if err := t.row(row); err != nil {
			return err
		}
	}
	return nil
}
