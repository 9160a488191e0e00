package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

// Microsoft 365 unified audit log: Management Activity API records and
// Sentinel OfficeActivity rows.
var m365 = register(&Format{
	Name:        "m365.unified",
	Description: "Microsoft 365 unified audit log (Management Activity API, Sentinel OfficeActivity, Purview AuditData)",
	Detect: func(f Fields) bool {
		return isString(f, "Operation") && hasAny(f, "CreationTime", "TimeGenerated", "CreationDate") &&
			hasAny(f, "Workload", "OfficeWorkload", "RecordType") && hasAny(f, "UserId", "UserKey", "UserIds")
	},
	Mapping: Mapping{
		Time:      Paths{"CreationTime", "TimeGenerated", "CreationDate"},
		ActorID:   Paths{"UserKey", "UserId", "UserIds"},
		ActorName: Paths{"UserId", "UserIds"},
		ActorType: Paths{"UserType"},
		ActorTypes: map[string]string{"0": audit.ActorUser, "Regular": audit.ActorUser, "2": audit.ActorUser, "Admin": audit.ActorUser,
			"3": audit.ActorUser, "DcAdmin": audit.ActorUser, "4": audit.ActorSystem, "System": audit.ActorSystem,
			"5": audit.ActorService, "Application": audit.ActorService, "6": audit.ActorService, "ServicePrincipal": audit.ActorService},
		Action: Paths{"Operation"},
		Targets: []TargetSpec{
			{TypeIs: "object", Name: Paths{"ObjectId", "OfficeObjectId"}},
			{TypeIs: "mailbox", Name: Paths{"MailboxOwnerUPN"}},
			{Each: "Parameters[Name=Identity]", TypeIs: "object", Name: Paths{"Value"}},
		},
		IP:        Paths{"ClientIP", "Client_IPAddress", "ClientIPAddress", "ActorIpAddress"},
		UserAgent: Paths{"UserAgent", "ClientInfoString"},
		Session:   Paths{"SessionId", "AppAccessContext.AADSessionId"},
		Request:   Paths{"Id", "CorrelationId"},
		Outcome: OutcomeSpec{Paths: Paths{"ResultStatus"},
			Success: []string{"True", "Succeeded", "Success", "PartiallySucceeded"}, Failure: []string{"False", "Failed", "Failure"}},
		Categories: []CategoryRule{
			{Match: `UserLoggedIn|UserLoginFailed|SignIn|Logon|MailboxLogin`, Category: audit.CategoryAccess},
			{Match: `Accessed|Viewed|Downloaded|Previewed|Search|Read|Sync|Export`, Category: audit.CategoryData},
			{Match: `Role|Member|Permission|User|Group|Delegat`, Category: audit.CategoryUser},
			{Match: `InboxRule|Transport|Connector|App|Consent|OAuth|Forward`, Category: audit.CategoryIntegration},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{{Each: "ModifiedProperties", Path: Paths{"Name"}, Before: Paths{"OldValue"}, After: Paths{"NewValue"}}},
	},
	Finish: m365Finish,
})

// m365Finish types Windows' own accounts (NT AUTHORITY\SYSTEM, which
// Exchange's service host acts as) as the system, whatever UserType says
// (3, a datacenter admin, for those in the corpus).
func m365Finish(f Fields, ev *audit.Event) {
	if strings.HasPrefix(strings.ToUpper(ev.Actor.Name), `NT AUTHORITY\`) {
		ev.Actor.Type = audit.ActorSystem
	}
}

// The Purview (Security & Compliance) audit search export: CSV whose
// AuditData column holds the Management Activity API record as JSON.
var m365Purview = register(&Format{
	Name:        "m365.purview.csv",
	Description: "Microsoft Purview audit search CSV export (the record as JSON in AuditData)",
	Detect: func(f Fields) bool {
		s, _ := f["AuditData"].(string)
		return strings.HasPrefix(strings.TrimSpace(s), "{") && hasAny(f, "CreationDate", "CreationTime") && hasAny(f, "Operations", "Operation")
	},
	Prepare: func(f Fields) Fields {
		inner, ok := decodeEmbedded(f["AuditData"].(string))
		m, isObj := inner.(map[string]any)
		if !ok || !isObj {
			return f
		}
		for outer, key := range map[string]string{"UserIds": "UserId", "Operations": "Operation"} {
			if _, has := m[key]; !has && f[outer] != nil {
				m[key] = f[outer]
			}
		}
		// The export's CreationDate carries a zone; AuditData's CreationTime does not.
		if d, ok := f["CreationDate"].(string); ok && d != "" {
			m["CreationTime"] = d
		}
		return m
	},
	Mapping: m365.Mapping,
	Finish:  m365Finish,
})
