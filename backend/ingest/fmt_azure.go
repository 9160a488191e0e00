package ingest

import "auditlens/backend/audit"

// Azure Activity Log: REST/PowerShell camelCase and Python SDK snake_case.
var azureActivity = register(&Format{
	Name:        "azure.activity",
	Description: "Azure Activity Log (REST, PowerShell camelCase and Python SDK snake_case shapes)",
	Detect: func(f Fields) bool {
		return hasAny(f, "operationName", "operation_name") && hasAny(f, "eventTimestamp", "event_timestamp") &&
			hasAny(f, "caller", "authorization", "claims", "resourceId", "resource_id")
	},
	Mapping: Mapping{
		Time:       Paths{"eventTimestamp", "event_timestamp", "submissionTimestamp", "submission_timestamp"},
		ActorID:    Paths{"claims.http://schemas.microsoft.com/identity/claims/objectidentifier", "caller", "claims.appid"},
		ActorName:  Paths{"caller", "claims.name", "claims.appid"},
		ActorEmail: Paths{"claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/upn", "claims.http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress"},
		ActorType:  Paths{"claims.idtyp"},
		ActorTypes: map[string]string{"app": audit.ActorService, "user": audit.ActorUser},
		Action:     Paths{"operationName.value", "operation_name.value", "operationName", "operation_name", "authorization.action"},
		Targets: []TargetSpec{{TypeIs: "resource", ID: Paths{"resourceId", "resource_id", "authorization.scope"},
			Name: Paths{"resourceId", "resource_id", "authorization.scope"}, Type: Paths{"resourceType.value", "resource_type.value"}}},
		IP:      Paths{"claims.ipaddr", "httpRequest.clientIpAddress", "http_request.client_ip_address"},
		Request: Paths{"correlationId", "correlation_id", "eventDataId", "event_data_id"},
		Message: Paths{"description"},
		Outcome: OutcomeSpec{Paths: Paths{"status.value", "status.localizedValue", "status.localized_value", "status"},
			Success: []string{"Succeeded", "Active", "Resolved"}, Failure: []string{"Failed"}}, // (Started, Accepted: not yet known)
		Categories: []CategoryRule{
			{Match: `roleAssignments|roleDefinitions|elevateAccess`, Category: audit.CategoryUser},
			{Match: `listKeys|regenerateKey|/secrets/|webhooks|connections`, Category: audit.CategoryIntegration},
			{Match: `/read$`, Category: audit.CategoryData},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
	},
})

// Entra ID (Azure AD) audit logs: Sentinel AuditLogs rows (JSON held in
// strings) and Graph directoryAudits; modifiedProperties give the changes.
var entraAudit = register(&Format{
	Name:        "azure.ad.audit",
	Description: "Entra ID (Azure AD) audit logs: Sentinel AuditLogs and Graph directoryAudits, modifiedProperties as changes",
	Detect: func(f Fields) bool {
		return (has(f, "OperationName") && has(f, "InitiatedBy") && has(f, "TargetResources")) ||
			(has(f, "activityDisplayName") && has(f, "initiatedBy") && has(f, "activityDateTime"))
	},
	Mapping: Mapping{
		Time:       Paths{"ActivityDateTime", "activityDateTime", "TimeGenerated"},
		ActorID:    Paths{"InitiatedBy.user.id", "initiatedBy.user.id", "InitiatedBy.app.appId", "initiatedBy.app.appId", "InitiatedBy.app.servicePrincipalId"},
		ActorName:  Paths{"InitiatedBy.user.displayName", "initiatedBy.user.displayName", "InitiatedBy.user.userPrincipalName", "initiatedBy.user.userPrincipalName", "InitiatedBy.app.displayName", "initiatedBy.app.displayName", "Identity"},
		ActorEmail: Paths{"InitiatedBy.user.userPrincipalName", "initiatedBy.user.userPrincipalName"},
		Action:     Paths{"OperationName", "activityDisplayName"},
		Targets:    []TargetSpec{{Each: "TargetResources", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"displayName", "userPrincipalName"}}, {Each: "targetResources", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"displayName", "userPrincipalName"}}},
		IP:         Paths{"InitiatedBy.user.ipAddress", "initiatedBy.user.ipAddress"},
		UserAgent:  Paths{"UserAgent", "AdditionalDetails[key=User-Agent].value", "additionalDetails[key=User-Agent].value"},
		Request:    Paths{"CorrelationId", "correlationId", "Id", "id"},
		Outcome:    OutcomeSpec{Paths: Paths{"Result", "result"}, Success: []string{"success"}, Failure: []string{"failure", "timeout"}},
		Categories: []CategoryRule{
			{Match: `sign-?in|logon|session|authentication|password|mfa|strongauthentication`, Category: audit.CategoryAccess},
			{Match: `application|service principal|certificates and secrets|consent|oauth|credential|permission grant`, Category: audit.CategoryIntegration},
			{Match: `user|member|role|group|owner|license`, Category: audit.CategoryUser},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{
			{Each: "TargetResources.modifiedProperties", Path: Paths{"displayName"}, Before: Paths{"oldValue"}, After: Paths{"newValue"}},
			{Each: "targetResources.modifiedProperties", Path: Paths{"displayName"}, Before: Paths{"oldValue"}, After: Paths{"newValue"}},
		},
	},
	Finish: func(f Fields, ev *audit.Event) {
		if get(f, parsePath("InitiatedBy.app")) != nil || get(f, parsePath("initiatedBy.app")) != nil {
			if ev.Actor.Email == "" {
				ev.Actor.Type = audit.ActorService
			}
		}
	},
})
