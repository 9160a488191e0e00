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
