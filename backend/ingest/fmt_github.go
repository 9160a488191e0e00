package ingest

import (
	"regexp"
	"strings"

	"auditlens/backend/audit"
)

// GitHub organization / enterprise audit log (REST API or streaming): epoch
// millisecond times, the actor as a login.
var github = register(&Format{
	Name:        "github.audit",
	Description: "GitHub organization/enterprise audit log (action, actor, created_at in epoch ms)",
	Detect: func(f Fields) bool {
		_, actorIsObj := f["actor"].(map[string]any)
		return isString(f, "action") && !actorIsObj && hasAny(f, "created_at", "@timestamp") &&
			hasAny(f, "org", "repo", "repository", "business", "actor_location", "user", "_document_id", "actor_id", "team")
	},
	Mapping: Mapping{
		Time:      Paths{"@timestamp", "created_at", "timestamp"},
		ActorID:   Paths{"actor_id", "actor"},
		ActorName: Paths{"actor"},
		Action:    Paths{"action"},
		Targets: []TargetSpec{
			{TypeIs: "repo", Name: Paths{"repo", "repository"}},
			{TypeIs: "user", Name: Paths{"user"}},
			{TypeIs: "team", Name: Paths{"team", "data.team"}},
			{TypeIs: "hook", ID: Paths{"hook_id"}},
			{TypeIs: "org", Name: Paths{"org"}},
		},
		IP:        Paths{"actor_ip"},
		UserAgent: Paths{"user_agent"},
		Request:   Paths{"request_id", "_document_id"},
		Outcome:   OutcomeSpec{Default: audit.OutcomeSuccess},
		Categories: []CategoryRule{
			{Match: `^(user\.(login|logout|failed_login|two_factor)|oauth_authorization|personal_access_token\.(request|access)|user_session|two_factor)`, Category: audit.CategoryAccess},
			{Match: `^(hook|integration_installation|oauth_application|oauth_access|org\.oauth_app|personal_access_token|deploy_key|public_key|integration|repository_secret|org_secret|secret_scanning)`, Category: audit.CategoryIntegration},
			{Match: `^(org\.(add_member|remove_member|invite_member|update_member|add_billing_manager|remove_billing_manager)|team\.(add_member|remove_member|promote_maintainer|demote_maintainer)|repo\.(add_member|remove_member)|business\.(add_admin|remove_admin)|members_can|org_credential)`, Category: audit.CategoryUser},
			{Match: `^(git\.clone|git\.fetch|repo\.download_zip|repository_content)`, Category: audit.CategoryData},
			{Match: `.`, Category: audit.CategoryConfiguration},
		},
		Changes: []ChangeSpec{{Pairs: true}, {Each: "data", Pairs: true}}, // (repo.transfer's data.old_user)
	},
	Finish: func(f Fields, ev *audit.Event) {
		// GitHub says nothing of an outcome but in the action's name: a
		// push a protected branch rejected is no success.
		if githubRefused.MatchString(ev.Action) {
			ev.Outcome = audit.OutcomeFailure
		}
		if strings.HasSuffix(ev.Actor.Name, "[bot]") { // github-actions[bot], dependabot[bot]
			ev.Actor.Type = audit.ActorService
		}
	},
})

// githubRefused are the actions whose name says the action failed or was
// refused (protected_branch.rejected_ref_update, user.failed_login): not
// those where someone decided on a request (org.oauth_app_access_denied,
// personal_access_token.request_denied: an owner's denial succeeded).
var githubRefused = regexp.MustCompile(`(^|[._])failed([._]|$)|rejected_ref_update`)
