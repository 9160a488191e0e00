package report_test

import (
	"fmt"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/report"
)

// synthNewest is the time of the newest synthetic event.
var synthNewest = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

var synthActions = []string{"user.login", "user.logout", "escalation_policy.update", "alert.acknowledge",
	"user.role_changed", "api_key.create", "schedule.update", "webhook.update", "alert.resolve", "data.export"}

var synthCategories = []string{audit.CategoryAccess, audit.CategoryAccess, audit.CategoryConfiguration,
	audit.CategoryAlert, audit.CategoryUser, audit.CategoryIntegration, audit.CategoryConfiguration,
	audit.CategoryIntegration, audit.CategoryAlert, audit.CategoryData}

// synth generates n events in memory, newest first (as Case.Scan gives
// them), 7 seconds apart: 500 actors, 2,000 IPs, every 9th a failure,
// every 4th with two changes. Nothing is stored.
func synth(n int) report.Events {
	return func(yield func(*audit.Event, error) bool) {
		for i := range n {
			a := i % len(synthActions)
			ev := &audit.Event{
				ID:        fmt.Sprintf("ev%07d", i),
				Time:      synthNewest.Add(-time.Duration(i) * 7 * time.Second),
				Format:    "ilert.audit",
				Source:    audit.SourceRef{ID: 1, Name: "/evidence/export.zip", Member: "audit.ndjson"},
				Category:  synthCategories[a],
				Action:    synthActions[a],
				Outcome:   audit.OutcomeSuccess,
				Actor:     audit.Actor{ID: fmt.Sprint(i % 500), Email: fmt.Sprintf("user%d@example.com", i%500), Type: audit.ActorUser},
				Targets:   []audit.Target{{Type: "escalation_policy", ID: fmt.Sprint(i % 40), Name: fmt.Sprintf("Policy %d", i%40)}},
				IP:        fmt.Sprintf("10.0.%d.%d", i%2000/250, i%250),
				UserAgent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36",
				Session:   fmt.Sprintf("s%d", i/20),
				Request:   fmt.Sprintf("r%d", i),
				Message:   fmt.Sprintf("%s changed %s of escalation policy %d", synthActions[a], "the escalation rules", i%40),
			}
			if i%9 == 0 {
				ev.Outcome = audit.OutcomeFailure
			}
			if i%4 == 0 {
				ev.Changes = []audit.Change{
					{Path: "role", Before: "RESPONDER", After: "ADMIN"},
					{Path: "escalationRules", Before: []any{map[string]any{"delay": 5.0}}, After: nil},
				}
			}
			if !yield(ev, nil) {
				return
			}
		}
	}
}
