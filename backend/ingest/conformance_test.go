package ingest

import (
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"testing"
)

// TestConformance imports each vendor folder of ../shared/corpus and checks
// the detected formats, the number of events and rejections, and how many
// events have actor+action and an IP — counted by hand from the raw records
// (e.g. only 5 of the 100 Okta events carry client.ipAddress; GitHub's
// lines carry no actor_ip; two GCP entries are plain application logs, not
// audit entries, and fall back to generic).
func TestConformance(t *testing.T) {
	dir := corpusDir(t)
	type want struct {
		formats          []string
		events, rejected int
		actorAction, ip  int
	}
	cases := map[string]want{
		"aws_cloudtrail":         {[]string{"aws.cloudtrail", "aws.cloudtrail.csv", "aws.cloudtrail.lookup"}, 440, 0, 440, 440},
		"azure_activity":         {[]string{"azure.activity"}, 8, 0, 8, 8},
		"azure_ad_audit":         {[]string{"azure.ad.audit"}, 4, 0, 4, 0},
		"gcp_audit":              {[]string{"gcp.audit", "gcp.log"}, 11, 0, 10, 9}, // (gcp.log: the entries that are no audit records),
		"github_audit":           {[]string{"github.audit"}, 189, 0, 189, 0},
		"gitlab_audit":           {[]string{"gitlab.audit"}, 2, 0, 2, 1},
		"google_workspace_admin": {[]string{"google.workspace"}, 4, 0, 4, 4},    // 6 lines, 2 repeated
		"kubernetes_audit":       {[]string{"kubernetes.audit"}, 13, 1, 13, 13}, // fal_01_003.json is {"kind": 0}
		"linux_auditd":           {[]string{"linux.auditd", "sentinel.syslog.auditd"}, 108, 1, 108, 15},
		"m365_unified_audit":     {[]string{"m365.unified"}, 5, 0, 5, 2},
		"okta_system_log":        {[]string{"okta.system_log"}, 100, 0, 100, 5},
		"slack_audit":            {[]string{"slack.audit"}, 4, 0, 4, 4},
	}
	ents, _ := os.ReadDir(dir)
	seen := 0
	for _, e := range ents {
		if !e.IsDir() {
			continue
		}
		w, ok := cases[e.Name()]
		if !ok {
			t.Errorf("corpus folder %s has no expectations here: add them", e.Name())
			continue
		}
		seen++
		t.Run(e.Name(), func(t *testing.T) {
			h, errs := importPaths(t, Options{}, filepath.Join(dir, e.Name()))
			if len(errs) > 0 {
				t.Fatal(errs)
			}
			formats := map[string]bool{}
			full, ip, noTime := 0, 0, 0
			for _, ev := range h.events {
				formats[ev.Format] = true
				if !ev.Actor.Empty() && ev.Action != "" {
					full++
				}
				if ev.IP != "" {
					ip++
				}
				if ev.Time.IsZero() {
					noTime++
				}
			}
			var got []string
			for f := range formats {
				got = append(got, f)
			}
			sort.Strings(got)
			rejected := 0
			for _, s := range h.sources {
				rejected += s.Rejected
			}
			if !reflect.DeepEqual(got, w.formats) || len(h.events) != w.events || rejected != w.rejected ||
				full != w.actorAction || ip != w.ip || noTime != 0 {
				t.Errorf("formats %v, %d events, %d rejected, %d with actor+action, %d with IP, %d without time;\nwant %v, %d, %d, %d, %d, 0",
					got, len(h.events), rejected, full, ip, noTime, w.formats, w.events, w.rejected, w.actorAction, w.ip)
			}
		})
	}
	if seen != len(cases) {
		t.Errorf("%d corpus folders found, %d expected", seen, len(cases))
	}
}
