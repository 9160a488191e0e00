package ingest

import "auditlens/backend/audit"

// The audit trail of an incident-management platform (ilert-style), as
// `auditlens demo` writes it: full before/after states of every change.
var ilert = register(&Format{
	Name:        "ilert.audit",
	Description: "Incident-platform audit trail (ilert-style; what `auditlens demo` writes): before/after states",
	Detect: func(f Fields) bool {
		_, res := f["resource"].(map[string]any)
		return res && isString(f, "action") && isString(f, "timestamp") && has(f, "result")
	},
	Mapping: Mapping{
		Time:       Paths{"timestamp"},
		ActorID:    Paths{"actor.id"},
		ActorName:  Paths{"actor.name"},
		ActorEmail: Paths{"actor.email"},
		ActorType:  Paths{"actor.type"},
		ActorTypes: map[string]string{"USER": audit.ActorUser, "API_KEY": audit.ActorAPIKey, "SYSTEM": audit.ActorSystem, "SERVICE": audit.ActorService},
		Action:     Paths{"action"},
		Targets:    []TargetSpec{{Each: "resource", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"name"}}},
		IP:         Paths{"client.ip"},
		UserAgent:  Paths{"client.userAgent"},
		Session:    Paths{"sessionId"},
		Request:    Paths{"requestId"},
		Outcome:    OutcomeSpec{Paths: Paths{"result"}, Success: []string{"SUCCESS"}, Failure: []string{"FAILURE"}},
		Categories: []CategoryRule{
			{Match: `^user\.(login|login_failed|logout|mfa_enabled|mfa_disabled)$`, Category: audit.CategoryAccess},
			{Match: `^alert\.`, Category: audit.CategoryAlert},
			{Match: `^(user|team)\.`, Category: audit.CategoryUser},
			{Match: `^(webhook|api_key)\.`, Category: audit.CategoryIntegration},
			{Match: `^(alert_source|escalation_policy|schedule|service|status_page)\.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{{Before: Paths{"before"}, After: Paths{"after"}}},
	},
	Finish: func(f Fields, ev *audit.Event) {
		if r := str(get(f, parsePath("reason"))); r != "" {
			ev.Message = defaultMessage(ev) + ": " + r
		}
	},
})
