package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

// Google Workspace Admin SDK Reports activities; "events" as the API's array
// or as one object (pre-split by a forwarder); OLD_VALUE/NEW_VALUE as changes.
var workspace = register(&Format{
	Name:        "google.workspace",
	Description: "Google Workspace Admin SDK activity reports (admin, login, drive…): OLD_VALUE/NEW_VALUE as changes",
	Detect: func(f Fields) bool {
		k, _ := f["kind"].(string)
		return k == "admin#reports#activity" || (has(f, "id.time") && has(f, "id.applicationName") && has(f, "events"))
	},
	Mapping: Mapping{
		Time:       Paths{"id.time"},
		ActorID:    Paths{"actor.profileId", "actor.email"},
		ActorName:  Paths{"actor.email", "actor.key"},
		ActorEmail: Paths{"actor.email"},
		ActorType:  Paths{"actor.callerType"},
		ActorTypes: map[string]string{"USER": audit.ActorUser, "KEY": audit.ActorAPIKey},
		Action:     Paths{"events.name"},
		Targets: []TargetSpec{
			{Each: "events.parameters[name=USER_EMAIL]", TypeIs: "user", Name: Paths{"value"}},
			{Each: "events.parameters[name=GROUP_EMAIL]", TypeIs: "group", Name: Paths{"value"}},
			{Each: "events.parameters[name=SETTING_NAME]", TypeIs: "setting", Name: Paths{"value"}},
			{Each: "events.parameters[name=APPLICATION_NAME]", TypeIs: "application", Name: Paths{"value"}},
			{Each: "events.parameters[name=ORG_UNIT_NAME]", TypeIs: "org_unit", Name: Paths{"value"}},
			{Each: "events.parameters[name=doc_title]", TypeIs: "document", Name: Paths{"value"}},
		},
		IP:      Paths{"ipAddress"},
		Request: Paths{"id.uniqueQualifier"},
		Outcome: OutcomeSpec{Default: audit.OutcomeSuccess},
		Categories: []CategoryRule{
			{Match: `login|logout|2sv|password|suspicious`, Category: audit.CategoryAccess},
			{Match: `ROLE|PRIVILEGE|ADMIN|USER|GROUP|MEMBER`, Category: audit.CategoryUser},
			{Match: `TOKEN|OAUTH|API|APPLICATION_(CREATE|DELETE)|DOMAIN_WIDE_DELEGATION`, Category: audit.CategoryIntegration},
			{Match: `^(view|download|preview|export)`, Category: audit.CategoryData},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{{Each: "events",
			Path:   Paths{"parameters[name=SETTING_NAME].value", "parameters[name=APPLICATION_NAME].value"},
			Before: Paths{"parameters[name=OLD_VALUE].value", "parameters[name=OLD_VALUE].multiValue"},
			After:  Paths{"parameters[name=NEW_VALUE].value", "parameters[name=NEW_VALUE].multiValue"}}},
	},
	// An activity can hold several events; the action is the first, the
	// message names them all.
	Finish: func(f Fields, ev *audit.Event) {
		var names []string
		for _, n := range getAll(f, parsePath("events.name"), nil) {
			names = append(names, str(n))
		}
		if len(names) > 1 {
			ev.Message = defaultMessage(ev) + " (events: " + strings.Join(names, ", ") + ")"
		}
	},
})
