package ingest

import (
	"strings"

	"auditlens/backend/audit"
)

// Okta System Log LogEvents (API, or inside a Cribl/Splunk "_raw" wrapper).
var okta = register(&Format{
	Name:        "okta.system_log",
	Description: "Okta System Log events (published, actor, eventType, target[], outcome)",
	Detect: func(f Fields) bool {
		return isString(f, "eventType") && has(f, "published") && has(f, "actor")
	},
	Mapping: Mapping{
		Time:       Paths{"published"},
		ActorID:    Paths{"actor.id"},
		ActorName:  Paths{"actor.displayName", "actor.alternateId"},
		ActorEmail: Paths{"actor.alternateId"},
		ActorType:  Paths{"actor.type"},
		ActorTypes: map[string]string{"User": audit.ActorUser, "SystemPrincipal": audit.ActorSystem,
			"PublicClientApp": audit.ActorService, "AppInstance": audit.ActorService, "Client": audit.ActorService},
		Action:    Paths{"eventType"},
		Targets:   []TargetSpec{{Each: "target", Type: Paths{"type"}, ID: Paths{"id"}, Name: Paths{"displayName", "alternateId"}}},
		IP:        Paths{"client.ipAddress", "request.ipChain.ip"},
		UserAgent: Paths{"client.userAgent.rawUserAgent"},
		Session:   Paths{"authenticationContext.externalSessionId", "authenticationContext.rootSessionId"},
		Request:   Paths{"transaction.id", "debugContext.debugData.requestId", "uuid"},
		Message:   Paths{"displayMessage"},
		Outcome: OutcomeSpec{Paths: Paths{"outcome.result"},
			Success: []string{"SUCCESS", "ALLOW"}, Failure: []string{"FAILURE", "DENY", "ABANDONED"}}, // (CHALLENGE: asked for more, not refused)
		Categories: []CategoryRule{
			{Match: `^user\.(session|authentication|mfa)|^policy\.evaluate_sign_on|^app\.oauth2\.(as\.)?token|^user\.account\.(lock|unlock)`, Category: audit.CategoryAccess},
			{Match: `^user\.(lifecycle|account\.(update|privilege)|mfa\.factor\.(reset|deactivate))|^group\.user_membership|^user\.account`, Category: audit.CategoryUser},
			{Match: `^(app\.oauth2|application\.|system\.api_token|app\.app_instance)|api_token|integration|^application`, Category: audit.CategoryIntegration},
			{Match: `^(policy|system|zone|network_zone|org|group\.(lifecycle|profile))\.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{{Each: "debugContext.debugData", Pairs: true}}, // (oldRuleRank 1, newRuleRank 4)
	},
	Finish: func(f Fields, ev *audit.Event) {
		// Okta writes "unknown" where an event has no transaction: no id
		// that would make unrelated events one request.
		if strings.EqualFold(ev.Request, "unknown") {
			ev.Request = firstSet(func(v string) bool { return v == "" || strings.EqualFold(v, "unknown") },
				str(get(f, parsePath("debugContext.debugData.requestId"))), str(f["uuid"]))
		}
		if ev.Message != "" && ev.Actor.Label() != "" {
			ev.Message = ev.Actor.Label() + ": " + ev.Message
		}
	},
})
