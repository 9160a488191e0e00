package ingest

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"auditlens/backend/audit"
	"auditlens/backend/diff"
)

// TestCorpusFields checks events of each vendor field by field against
// values read by hand from the raw records of ../shared/corpus.
func TestCorpusFields(t *testing.T) {
	h, _ := importPaths(t, Options{}, corpusDir(t))
	find := func(t *testing.T, format string, rawHas string) *audit.Event {
		t.Helper()
		for _, e := range h.events {
			if e.Format == format && strings.Contains(string(e.Raw), rawHas) {
				return e
			}
		}
		t.Fatalf("no %s event whose raw record holds %q", format, rawHas)
		return nil
	}
	ts := func(s string) time.Time {
		v, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			panic(err)
		}
		return v
	}
	type want struct {
		format, rawHas string
		time           time.Time
		actor, action  string // actor: Label()
		outcome, ip    string
		category       string
		target         string // Label() of some target; "" = not checked
		change         string // "path: before -> after" of some change; "" = not checked
	}
	cases := []want{
		{"aws.cloudtrail.lookup", "0828c0d2-3589-4390-b954-c78b4a7df44b", ts("2022-02-07T22:23:37Z"), "fakeusername", "DescribeInstances", "success", "1.2.3.4", "data", "i-01234567890123456", ""},
		{"aws.cloudtrail", `"DeleteTrail"`, ts("2024-08-18T13:05:25Z"), "TrailDiscover", "DeleteTrail", "failure", "109.196.12.142", "configuration", "", ""},
		{"aws.cloudtrail", "fd4f1042-c7f6-4107-a6ee-d841d92596e7", ts("2020-09-14T00:44:23Z"), "pedro", "DescribeInstanceTypes", "success", "1.2.3.4", "data", "", ""},
		{"aws.cloudtrail.csv", "E2E91AQVN6DJHZ91", ts("2022-02-18T17:34:57Z"), "ANONYMOUS_PRINCIPAL", "ListObjects", "unknown", // (the export has no Error Code column)
			"177.131.167.145", "data", "microsoft-devtest", ""},
		{"github.audit", `"created_at":1583364251067`, ts("2020-03-04T23:24:11.067Z"), "github-actor", "organization_default_label.create", "success", "", "configuration", "Example-Org", ""},
		{"gitlab.audit", `"John Doe4"`, ts("2018-10-17T17:38:22.523Z"), "John Doe4", "visibility", "success", "", "configuration", "namespace2/project2", "visibility: Private -> Public"},
		{"gitlab.audit", "01HXHSTQ5A02PJVVW2H8FZZ77A", ts("2024-05-10T17:46:49.065Z"), "Administrator", "SessionsController#create", "success", "208.58.198.174", "access", "Administrator", ""},
		{"google.workspace", "content_compliance_info", ts("2025-11-14T12:37:29.48Z"), "user@email.io", "CREATE_APPLICATION_SETTING", "success", "175.16.199.0", "configuration", "Gmail", "ContentCompliance rules[7] content_compliance_info: <nil> -> REDACTED"},
		{"kubernetes.audit", "d1df3fa9-497f-49cf-bd48-60a651df8075", ts("2020-04-21T17:58:49.691845Z"), "minikube-user", "secrets.delete", "success", "192.168.64.1", "integration", "default/example-secret", ""},
		{"kubernetes.audit", "841d3e6d-90d2-43df-8da4-684738bee3d5", ts("2018-10-25T13:58:49.730588Z"), "system:anonymous", "namespaces.create", "success", "192.168.99.1", "configuration", "foo", ""},
		{"linux.auditd", "audit(1481077043.057:413)", ts("2016-12-07T02:17:23.057Z"), "andrew_kroh", "CRED_ACQ", "success", "96.241.146.97", "access", "andrew_kroh", ""},
		{"linux.auditd", `UID="root" AUID="root"`, time.Time{}, "root", "", "", "", "", "", ""},
		{"sentinel.syslog.auditd", "84138", ts("2022-05-11T18:10:21.986Z"), "tomcat", "AUOMS_EXECVE", "failure", "", "other", "/usr/local/sbin/bash", ""},
		{"m365.unified", "MailItemsAccessed", ts("2021-08-02T13:32:07Z"), "pgustavo@simulandlabs.com", "MailItemsAccessed", "success", "1.2.3.4", "data", "pgustavo@simulandlabs.com", ""},
		{"azure.ad.audit", "10065ffb-8199-48bc-8ff5-912cb5b8295a", ts("2021-08-02T13:29:25.983Z"), "pgustavo@simulandlabs.com", "Update application – Certificates and secrets management", "success", "", "integration", "SimuLandApp", "KeyDescription[0]: <nil> -> [KeyIdentifier=59eaeebc-8a6b-44a6-9f24-7d55e64420c9,KeyType=Password,KeyUsage=Verify,DisplayName=SimuLandCreds]"},
		{"gcp.audit", "iv9wx9d16l2", ts("2021-10-19T02:57:47.339377Z"), "fakeemailxyz@gmail.com", "beta.compute.networks.insert", "success", "1.1.1.1", "configuration", "projects/fake-project/global/networks/test", ""},
		{"slack.audit", "0123a45b-6c7d-8900-e12f-3456789gh0i1", ts("2018-03-16T15:32:23Z"), "bird@slack.com", "user_login", "success", "81.2.69.143", "access", "bird@slack.com", ""},
		{"okta.system_log", "freetrialorgcreator@okta.com", time.Time{}, "freetrialorgcreator@okta.com", "", "", "52.207.21.207", "", "", ""},
		{"azure.activity", "Microsoft.Compute/virtualMachines/delete", ts("2022-02-09T03:04:26.49265Z"), "fakeemail@fakedomain.com", "Microsoft.Compute/virtualMachines/delete", "unknown", // (Started: its BeginRequest; the end says how it went)
			"1.2.3.4", "configuration", "", ""},
	}
	for _, c := range cases {
		t.Run(c.format+"/"+c.rawHas, func(t *testing.T) {
			e := find(t, c.format, c.rawHas)
			check := func(field, got, want string) {
				if want != "" && got != want {
					t.Errorf("%s = %q, want %q", field, got, want)
				}
			}
			if !c.time.IsZero() && !e.Time.Equal(c.time) {
				t.Errorf("time = %s, want %s", e.Time, c.time)
			}
			check("actor", e.Actor.Label(), c.actor)
			check("action", e.Action, c.action)
			check("outcome", e.Outcome, c.outcome)
			check("ip", e.IP, c.ip)
			check("category", e.Category, c.category)
			if c.target != "" {
				var labels []string
				for _, tg := range e.Targets {
					labels = append(labels, tg.Label())
				}
				if !contains(labels, c.target) {
					t.Errorf("targets %v lack %q", labels, c.target)
				}
			}
			if c.change != "" {
				var got []string
				for _, ch := range e.Changes {
					got = append(got, fmt.Sprintf("%s: %v -> %v", ch.Path, ch.Before, ch.After))
				}
				if !contains(got, c.change) {
					t.Errorf("changes %v lack %q", got, c.change)
				}
			}
		})
	}
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// TestCorpusWhoAndHowItWent holds mappings to what a review of the corpus
// found them getting wrong: a daemon taken for a root login, a refusal or
// an operation only started taken for a success, a placeholder taken for
// an id, a namespace for the object created in it, categories by a
// keyword inside a word.
func TestCorpusWhoAndHowItWent(t *testing.T) {
	h, _ := importPaths(t, Options{}, corpusDir(t))
	each := func(t *testing.T, format string, match func(*audit.Event) bool, check func(*audit.Event) string) {
		t.Helper()
		n := 0
		for _, e := range h.events {
			if e.Format == format && match(e) {
				n++
				if bad := check(e); bad != "" {
					t.Errorf("%s %s: %s", format, e.Action, bad)
				}
			}
		}
		if n == 0 {
			t.Errorf("no %s event of the kind checked", format)
		}
	}
	rawHas := func(s string) func(*audit.Event) bool {
		return func(e *audit.Event) bool { return strings.Contains(string(e.Raw), s) }
	}
	is := func(field, got, want string) string {
		if got != want {
			return fmt.Sprintf("%s %q, want %q", field, got, want)
		}
		return ""
	}
	// sshd refusing a connection (no login uid, no account) is the system's
	// process, not a failed login of root
	each(t, "linux.auditd", rawHas("audit(1489641207.587:518)"), func(e *audit.Event) string {
		return is("actor", e.Actor.Label()+" "+e.Actor.Type, "/usr/sbin/sshd as root system") // (its exe: the record has no comm)
	})
	each(t, "linux.auditd", func(e *audit.Event) bool { return e.Action == "SOCKADDR" }, func(e *audit.Event) string {
		return is("category", e.Category, audit.CategoryOther)
	})
	each(t, "github.audit", func(e *audit.Event) bool { return strings.Contains(e.Action, "rejected") }, func(e *audit.Event) string {
		return is("outcome", e.Outcome, audit.OutcomeFailure)
	})
	each(t, "azure.activity", rawHas(`"value": "Started"`), func(e *audit.Event) string {
		return is("outcome", e.Outcome, audit.OutcomeUnknown)
	})
	each(t, "okta.system_log", func(*audit.Event) bool { return true }, func(e *audit.Event) string {
		if strings.EqualFold(e.Request, "unknown") {
			return "the request is Okta's placeholder"
		}
		return ""
	})
	each(t, "kubernetes.audit", rawHas("nginx-deployment-5cdcc99dbf-rgw6z"), func(e *audit.Event) string {
		if len(e.Targets) == 0 {
			return "no target"
		}
		return is("target", e.Targets[0].Name, "default/nginx-deployment-5cdcc99dbf-rgw6z")
	})
	each(t, "m365.unified", func(e *audit.Event) bool { return strings.HasPrefix(e.Actor.Name, `NT AUTHORITY\`) }, func(e *audit.Event) string {
		return is("actor type", e.Actor.Type, audit.ActorSystem)
	})
	each(t, "slack.audit", func(e *audit.Event) bool { return e.Action == "anomaly" }, func(e *audit.Event) string {
		return is("category", e.Category, audit.CategoryAlert)
	})
	// Cloud Logging entries beside the audit records are read, not generic
	each(t, "gcp.log", func(*audit.Event) bool { return true }, func(e *audit.Event) string {
		if e.Message == "" || e.Action == "" {
			return fmt.Sprintf("message %q, action %q", e.Message, e.Action)
		}
		return ""
	})
	each(t, "aws.cloudtrail.csv", func(e *audit.Event) bool { return e.Action == "PutObject" }, func(e *audit.Event) string {
		return is("category", e.Category, audit.CategoryData)
	})
}

// An auditd event's message says what was run and typed: EXECVE's own
// arguments (not the SYSCALL's registers) and TTY's keystrokes, decoded.
func TestAuditdMessagesSayWhatRanAndWasTyped(t *testing.T) {
	h, _ := importPaths(t, Options{}, corpusDir(t))
	want := map[string]string{
		"audit(1491922681.082:1065050)": `data="su - andrew_kroh"`,
		"1065565):":                     `data="eh\x7f\x7fecho test\rvim /etc/pam.d/password-auth-ac\r`,
	}
	found := 0
	for _, e := range h.events {
		if e.Format != "linux.auditd" {
			continue
		}
		for raw, msg := range want {
			if strings.Contains(string(e.Raw), raw) {
				found++
				if !strings.Contains(e.Message, strings.ReplaceAll(strings.ReplaceAll(msg, "\x7f", `\x7f`), "\r", `\r`)) {
					t.Errorf("%s: message %q lacks %q", raw, e.Message, msg)
				}
			}
		}
		if strings.Contains(e.Message, "argv=") && !strings.Contains(string(e.Raw), "EXECVE") || strings.ContainsAny(e.Message, "\n\r") {
			t.Errorf("argv of no EXECVE, or a message of several lines: %q", e.Message)
		}
	}
	if found != len(want) {
		t.Errorf("%d of the %d events found", found, len(want))
	}
	n := 0
	for _, e := range h.events {
		if e.Format == "linux.auditd" && strings.Contains(e.Message, `argv=grep `) {
			n++
		}
	}
	if n == 0 {
		t.Error("no EXECVE of grep says its arguments")
	}
}

// GitHub's refusals are failures; an owner's decision on a request is not.
func TestGitHubRefusals(t *testing.T) {
	for action, want := range map[string]string{"protected_branch.rejected_ref_update": audit.OutcomeFailure,
		"user.failed_login": audit.OutcomeFailure, "org.oauth_app_access_denied": audit.OutcomeSuccess,
		"personal_access_token.request_denied": audit.OutcomeSuccess, "repo.create": audit.OutcomeSuccess} {
		ev := &audit.Event{Action: action, Outcome: audit.OutcomeSuccess}
		github.Finish(Fields{}, ev)
		if ev.Outcome != want {
			t.Errorf("%s: %s, want %s", action, ev.Outcome, want)
		}
	}
}

// EXECVE's arguments are read up to argc, a long one from its pieces.
func TestExecArgsInPieces(t *testing.T) {
	rec := map[string]any{"type": "EXECVE", "argc": "4", "a0": "bash", "a1_len": "10", "a1[0]": "-c 'echo", "a1[1]": " hi'", "a2": "x", "a3": "y"}
	if got := execArgs(Fields{"records": []any{rec}}); got != "bash -c 'echo hi' x y" {
		t.Errorf("%q", got)
	}
	delete(rec, "a2")
	if got := execArgs(Fields{"records": []any{rec}}); got != "bash -c 'echo hi' … y" {
		t.Errorf("a missing argument: %q", got)
	}
}

// Before and after values given as pairs of keys become changes: Okta's
// oldRuleRank/newRuleRank, auditd's old-level/new-level and old-auid beside
// auid, GitHub's old_user beside user.
func TestCorpusOldNewPairs(t *testing.T) {
	h, _ := importPaths(t, Options{}, corpusDir(t))
	want := [][2]string{
		{"okta.system_log", "RuleRank: 1 -> 4"},
		{"linux.auditd", "level: N -> 3"},
		// policy.lifecycle.update: the two keys of the JSON text that changed
		{"okta.system_log", "PolicyExtensiblePropertiesJson.recovery.credentials.email.selfService: true -> false"},
	}
	for _, w := range want {
		format, change := w[0], w[1]
		found := false
		for _, e := range h.events {
			if e.Format != format {
				continue
			}
			for _, c := range e.Changes {
				if strings.HasPrefix(fmt.Sprintf("%s: %v -> %v", c.Path, c.Before, c.After), change) {
					found = true
				}
			}
		}
		if !found {
			t.Errorf("no %s event with the change %q", format, change)
		}
	}
	// A change is a change: no field is listed with its before equal to its
	// after (five of the corpus's were: Okta's pairs, auditd's capabilities).
	for _, e := range h.events {
		for _, c := range e.Changes {
			if diff.Equal(c.Before, c.After) {
				t.Errorf("%s event %s: %s listed as a change, %v both before and after", e.Format, e.ID, c.Path, c.Before)
			}
			if e.Format == "github.audit" && c.Path == "user" {
				t.Errorf("repo.transfer's old_user read as a change to nothing: %+v", c)
			}
		}
	}
	if got := oldNewChanges(map[string]any{"newsletter": "x", "oldest": "y", "old-auid": "4294967295", "auid": "1000",
		"old_user": "gone", "oldPri": "1", "newPri": "1"}); len(got) != 1 ||
		got[0].Path != "auid" || got[0].Before != "4294967295" || got[0].After != "1000" {
		t.Errorf("%+v", got)
	}
}
