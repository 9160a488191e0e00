package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

// Google Cloud audit logs: Cloud Logging LogEntries with an AuditLog protoPayload.
var gcp = register(&Format{
	Name:        "gcp.audit",
	Description: "Google Cloud audit logs (LogEntry with protoPayload AuditLog)",
	Detect: func(f Fields) bool {
		if t := str(get(f, parsePath("protoPayload.@type"))); strings.HasSuffix(t, "AuditLog") {
			return true
		}
		ln, _ := f["logName"].(string)
		return strings.Contains(ln, "cloudaudit.googleapis.com") && has(f, "protoPayload")
	},
	Mapping: Mapping{
		Time:      Paths{"timestamp", "receiveTimestamp"},
		ActorID:   Paths{"protoPayload.authenticationInfo.principalEmail", "protoPayload.authenticationInfo.principalSubject"},
		ActorName: Paths{"protoPayload.authenticationInfo.principalEmail", "protoPayload.authenticationInfo.principalSubject"},
		Action:    Paths{"protoPayload.methodName"},
		Targets:   []TargetSpec{{TypeIs: "resource", Type: Paths{"resource.type"}, Name: Paths{"protoPayload.resourceName"}, ID: Paths{"protoPayload.resourceName"}}},
		IP:        Paths{"protoPayload.requestMetadata.callerIp"},
		UserAgent: Paths{"protoPayload.requestMetadata.callerSuppliedUserAgent"},
		Request:   Paths{"operation.id", "insertId"},
		Outcome:   OutcomeSpec{FailureIfSet: Paths{"protoPayload.status.code"}, Default: audit.OutcomeSuccess},
		Categories: []CategoryRule{
			{Match: `SetIamPolicy|roles|serviceAccounts\.(create|delete)|AddMember|RemoveMember`, Category: audit.CategoryUser},
			{Match: `serviceAccountKeys|keys\.create|secrets|oauth`, Category: audit.CategoryIntegration},
			{Match: `\.(get|list|Get|List)[A-Za-z]*$|storage\.objects\.get`, Category: audit.CategoryData},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
	},
	Finish: func(f Fields, ev *audit.Event) {
		if ev.Actor.Email == "" && strings.Contains(ev.Actor.ID, "@") {
			ev.Actor.Email = ev.Actor.ID
		}
		if strings.HasSuffix(ev.Actor.Email, ".gserviceaccount.com") {
			ev.Actor.Type = audit.ActorService
		}
	},
})

// Cloud Logging LogEntries that are not audit records (an application's
// textPayload or jsonPayload) in the same export: read for their time,
// message and any actor, not left to the generic format, which found none
// of them.
var gcpLog = register(&Format{
	Name:        "gcp.log",
	Description: "Google Cloud Logging entries other than audit logs (textPayload or jsonPayload)",
	Detect: func(f Fields) bool {
		return isString(f, "logName") && hasAny(f, "textPayload", "jsonPayload") && !has(f, "protoPayload") &&
			hasAny(f, "timestamp", "receiveTimestamp")
	},
	Mapping: Mapping{
		Time:      Paths{"timestamp", "receiveTimestamp"},
		ActorID:   Paths{"jsonPayload.actor.user", "jsonPayload.actor.id", "jsonPayload.user"},
		ActorName: Paths{"jsonPayload.actor.user", "jsonPayload.actor.name", "jsonPayload.user"},
		Action:    Paths{"jsonPayload.event_subtype", "jsonPayload.event_type", "jsonPayload.action"},
		Targets:   []TargetSpec{{TypeIs: "resource", Type: Paths{"resource.type"}, Name: Paths{"resource.labels.project_id"}}},
		Request:   Paths{"insertId"},
		Message:   Paths{"textPayload", "jsonPayload.message", "jsonPayload.content"},
		Outcome:   OutcomeSpec{},
	},
	Finish: func(f Fields, ev *audit.Event) {
		if ev.Action == "" { // the log's name: projects/p/logs/testlog
			ln := str(f["logName"])
			ev.Action = ln[strings.LastIndexByte(ln, '/')+1:]
		}
		if strings.Contains(ev.Actor.ID, "@") {
			ev.Actor.Email = ev.Actor.ID
		}
	},
})
