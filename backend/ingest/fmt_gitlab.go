package ingest

import "auditlens/backend/audit"

// GitLab audit_json.log: flat dotted keys, change/from/to.
var gitlab = register(&Format{
	Name:        "gitlab.audit",
	Description: "GitLab audit events (audit_json.log): author, entity, change from/to",
	Detect: func(f Fields) bool {
		return hasAny(f, "author_id", "author_name") && has(f, "entity_type") && hasAny(f, "time", "created_at")
	},
	Mapping: Mapping{
		Time:      Paths{"time", "created_at"},
		ActorID:   Paths{"author_id", "meta.user_id"},
		ActorName: Paths{"author_name", "meta.user"},
		Action:    Paths{"event_name", "change", "custom_message", "meta.caller_id", "action"},
		Targets:   []TargetSpec{{TypeIs: "entity", Type: Paths{"target_type", "entity_type"}, ID: Paths{"target_id", "entity_id"}, Name: Paths{"target_details", "entity_path"}}},
		IP:        Paths{"meta.remote_ip", "ip_address"},
		Request:   Paths{"correlation_id"},
		Outcome:   OutcomeSpec{Default: audit.OutcomeSuccess},
		Categories: []CategoryRule{
			{Match: `Sessions|login|authenticat|two.factor`, Category: audit.CategoryAccess},
			{Match: `access.level|member|role|user`, Category: audit.CategoryUser},
			{Match: `token|hook|key|integration`, Category: audit.CategoryIntegration},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{{Path: Paths{"change"}, Before: Paths{"from"}, After: Paths{"to"}}},
	},
	Finish: func(f Fields, ev *audit.Event) {
		if w := str(get(f, parsePath("with"))); w != "" && ev.Action != "" {
			ev.Message = defaultMessage(ev) + " (with " + w + ")"
		}
	},
})
