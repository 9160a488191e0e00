package ingest

import (
	"regexp"

	"auditlens/backend/audit"
)

// keywordRules classify an action when its format has no rule for it. Order
// matters: "escalation_policy" is configuration before "escalat" is an alert.
var keywordRules = []struct {
	re       *regexp.Regexp
	category string
}{
	{regexp.MustCompile(`(?i)escalation[_ ]?polic|alert[_ ]?source|schedule|maintenance`), audit.CategoryConfiguration},
	{regexp.MustCompile(`(?i)webhook|hook|api[_ ]?key|apikey|access[_ ]?key|integration|oauth|token|connector|app(lication)?[_.]|service[_ ]?principal|deploy[_ ]?key|secret`), audit.CategoryIntegration},
	{regexp.MustCompile(`(?i)login|logon|logout|logoff|sign[_ ]?in|sign[_ ]?out|signon|session|authenticat|mfa|2fa|factor|password|sso|saml|user_auth|user_acct|cred_|user_start|user_end`), audit.CategoryAccess},
	{regexp.MustCompile(`(?i)alert|incident|acknowledg|escalat|resolve|page|notification`), audit.CategoryAlert},
	{regexp.MustCompile(`(?i)user|member|role|group|permission|privilege|invite|admin|grant|revoke|team|account|membership|add_user|del_user`), audit.CategoryUser},
	{regexp.MustCompile(`(?i)^(get|list|describe|read|view|search|query|lookup|head)|download|export|accessed|\.get$|\.list$|\.read$|filepreviewed|fileaccessed|watch$`), audit.CategoryData},
	{regexp.MustCompile(`(?i)create|update|delete|put|set|modify|change|patch|insert|remove|enable|disable|config|policy|rule|add|edit|rename|transfer|archive`), audit.CategoryConfiguration},
}

// classify assigns a category from the words of an action name.
func classify(action string) string {
	for _, r := range keywordRules {
		if r.re.MatchString(action) {
			return r.category
		}
	}
	return audit.CategoryOther
}
