package report

import (
	"cmp"
	"slices"
	"time"
)

func actorColumns(loc *time.Location) []column {
	zone := " (" + zoneName(loc) + ")"
	return []column{{"Actor", 36}, {"Type", 10}, {"First seen" + zone, 20}, {"Last seen" + zone, 20},
		{"Events", 10}, {"Failures", 10}, {"Distinct IPs", 12}, {"Privileged actions", 18}}
}

// writeActors writes one row per actor, the busiest first. Privileged
// actions are counted by the rule documented at privileged.
func (wb *workbook) writeActors(t *table, a *aggregate) error {
	actors := make([]*actorStats, 0, len(a.actors))
	for _, s := range a.actors {
		actors = append(actors, s)
	}
	slices.SortFunc(actors, func(x, y *actorStats) int {
		if c := cmp.Compare(y.events, x.events); c != 0 {
			return c
		}
		return cmp.Compare(x.label, y.label)
	})
	row := make([]any, 0, 8)
	for _, s := range actors {
		row = append(row[:0], Text(s.label), Text(s.typ), wb.timeCell(s.first), wb.timeCell(s.last),
			s.events, s.failures, len(s.ips), s.privileged)
		if err := t.row(row); err != nil {
			return err
		}
	}
	return nil
}
