package ingest

import "auditlens/backend/audit"

// Slack Enterprise audit logs API entries.
var slack = register(&Format{
	Name:        "slack.audit",
	Description: "Slack Enterprise Grid audit logs (date_create, actor.user, entity, context)",
	Detect: func(f Fields) bool {
		return has(f, "date_create") && isString(f, "action") && has(f, "actor.user")
	},
	Mapping: Mapping{
		Time:       Paths{"date_create", "details.action_timestamp"},
		ActorID:    Paths{"actor.user.id"},
		ActorName:  Paths{"actor.user.name", "actor.user.email"},
		ActorEmail: Paths{"actor.user.email"},
		ActorType:  Paths{"actor.type"},
		ActorTypes: map[string]string{"user": audit.ActorUser, "app": audit.ActorService, "workflow": audit.ActorService},
		Action:     Paths{"action"},
		Targets: []TargetSpec{
			{Each: "entity.user", TypeIs: "user", ID: Paths{"id"}, Name: Paths{"email", "name"}},
			{Each: "entity.file", TypeIs: "file", ID: Paths{"id"}, Name: Paths{"name", "title"}},
			{Each: "entity.channel", TypeIs: "channel", ID: Paths{"id"}, Name: Paths{"name"}},
			{Each: "entity.app", TypeIs: "app", ID: Paths{"id"}, Name: Paths{"name"}},
			{Each: "entity.workspace", TypeIs: "workspace", ID: Paths{"id"}, Name: Paths{"name", "domain"}},
			{Each: "entity.enterprise", TypeIs: "enterprise", ID: Paths{"id"}, Name: Paths{"name", "domain"}},
		},
		IP:        Paths{"context.ip_address"},
		UserAgent: Paths{"context.ua"},
		Session:   Paths{"context.session_id"},
		Request:   Paths{"id"},
		Outcome:   OutcomeSpec{Default: audit.OutcomeSuccess},
		Categories: []CategoryRule{
			{Match: `^anomaly`, Category: audit.CategoryAlert},
			{Match: `login|logout|session|2fa|sso`, Category: audit.CategoryAccess},
			{Match: `^(file_downloaded|file_shared|file_public|file_previewed|channel_export|export)`, Category: audit.CategoryData},
			{Match: `^(app_|bot_|workflow_|token)`, Category: audit.CategoryIntegration},
			{Match: `^(user_|role_|guest_|member)`, Category: audit.CategoryUser},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
	},
})
