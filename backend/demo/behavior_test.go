package demo_test

import (
	"encoding/json"
	"net/url"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"auditlens/backend/demo"
)

// What the trail says: chained states, sessions, the mix of activity and the
// planted episode.

// TestUpdatesChain: per resource, the before of each change equals the after
// of the previous change; creations have no before, deletions no after.
func TestUpdatesChain(t *testing.T) {
	recs := parse(t, generate(t, demo.Options{Events: 25000, Seed: 9}), false)
	last := map[string]any{}
	checked := 0
	decode := func(raw json.RawMessage) any {
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for i, r := range recs {
		if r.Result != "SUCCESS" {
			if r.hasBefore() || r.hasAfter() {
				t.Fatalf("record %d: failure with states", i)
			}
			continue
		}
		key := r.Resource.Type + "/" + r.Resource.ID
		verb := r.Action[strings.IndexByte(r.Action, '.')+1:]
		switch {
		case r.Action == "user.login" || r.Action == "user.logout":
			if r.hasBefore() || r.hasAfter() || r.Resource.ID != r.Actor.ID {
				t.Fatalf("record %d: %s must be about the actor, without states", i, r.Action)
			}
			continue
		case verb == "created":
			if r.hasBefore() || !r.hasAfter() {
				t.Fatalf("record %d: %s needs after only", i, r.Action)
			}
			if _, ok := last[key]; ok {
				t.Fatalf("record %d: %s created twice", i, key)
			}
		case verb == "deleted" || verb == "revoked":
			if !r.hasBefore() || r.hasAfter() {
				t.Fatalf("record %d: %s needs before only", i, r.Action)
			}
		default:
			if !r.hasBefore() || !r.hasAfter() {
				t.Fatalf("record %d: %s needs before and after", i, r.Action)
			}
		}
		if r.hasBefore() {
			prev, ok := last[key]
			switch {
			case ok:
				if !reflect.DeepEqual(prev, decode(r.Before)) {
					t.Fatalf("record %d: %s %s: before does not match the previous after\nprev:   %v\nbefore: %s", i, r.Action, key, prev, r.Before)
				}
				checked++
			case r.Resource.Type != "STATUS_PAGE": // the page exists from the start
				t.Fatalf("record %d: %s %s changed before it was created", i, r.Action, key)
			}
		}
		if r.hasAfter() {
			last[key] = decode(r.After)
		} else {
			delete(last, key)
		}
	}
	if checked < 10000 {
		t.Fatalf("only %d chained changes checked", checked)
	}
}

// TestSessions: a session starts with its owner's login and stays with one
// user, address and browser.
func TestSessions(t *testing.T) {
	recs := parse(t, generate(t, demo.Options{Events: 30000, Seed: 5}), false)
	type sess struct{ user, ip, ua string }
	seen := map[string]sess{}
	for i, r := range recs {
		if r.SessionID == "" {
			continue
		}
		s, ok := seen[r.SessionID]
		if !ok {
			if r.Action != "user.login" {
				t.Fatalf("record %d: session %s starts with %s, not a login", i, r.SessionID, r.Action)
			}
			seen[r.SessionID] = sess{r.Actor.ID, r.Client.IP, r.Client.UserAgent}
			continue
		}
		if s != (sess{r.Actor.ID, r.Client.IP, r.Client.UserAgent}) {
			t.Fatalf("record %d: session %s changed hands", i, r.SessionID)
		}
		if r.Action == "user.login" {
			t.Fatalf("record %d: second login in session %s", i, r.SessionID)
		}
	}
	if len(seen) < 500 {
		t.Fatalf("only %d sessions", len(seen))
	}
}

func category(action string) string {
	switch {
	case strings.HasPrefix(action, "alert."):
		return "alert"
	case action == "user.login" || action == "user.login_failed":
		return "login"
	case strings.HasPrefix(action, "user.") || strings.HasPrefix(action, "team."):
		return "people"
	case strings.HasPrefix(action, "webhook.") || strings.HasPrefix(action, "api_key."):
		return "integration"
	default:
		return "config"
	}
}

func TestMix(t *testing.T) {
	recs := parse(t, generate(t, demo.Options{Events: 60000, Seed: 11}), false)
	share := map[string]float64{}
	actions := map[string]int{}
	for _, r := range recs {
		share[category(r.Action)] += 1 / float64(len(recs))
		actions[r.Action]++
	}
	t.Logf("shares: %v", share)
	if share["alert"] < 0.5 || share["alert"] > 0.7 {
		t.Errorf("alerts are %.1f%%, want the majority (~60%%)", 100*share["alert"])
	}
	if share["login"] < 0.10 || share["login"] > 0.22 {
		t.Errorf("logins are %.1f%%, want ~15%%", 100*share["login"])
	}
	if share["config"] < 0.10 || share["config"] > 0.20 {
		t.Errorf("configuration is %.1f%%, want ~15%%", 100*share["config"])
	}
	if share["people"]+share["integration"] < 0.05 {
		t.Errorf("user management and integrations are %.1f%%", 100*(share["people"]+share["integration"]))
	}
	failed := float64(actions["user.login_failed"]) / float64(actions["user.login_failed"]+actions["user.login"])
	if failed < 0.01 || failed > 0.08 {
		t.Errorf("%.1f%% of logins fail, want a few percent", 100*failed)
	}
	for _, a := range []string{
		"user.login", "user.login_failed", "user.logout", "user.mfa_enabled", "user.mfa_disabled", "user.created", "user.updated",
		"user.role_changed", "user.deleted", "team.created", "team.updated", "alert_source.created", "alert_source.updated",
		"alert_source.deleted", "escalation_policy.created", "escalation_policy.updated", "escalation_policy.deleted",
		"schedule.created", "schedule.updated", "service.created", "service.updated", "status_page.updated", "webhook.created",
		"webhook.updated", "webhook.deleted", "api_key.created", "api_key.revoked", "alert.created", "alert.acknowledged",
		"alert.escalated", "alert.resolved", "alert.commented",
	} {
		if actions[a] == 0 {
			t.Errorf("no %s record", a)
		}
	}
	// Activity follows office hours: most records fall on weekdays 08-19
	// local time (+01:00).
	work := 0
	for _, r := range recs {
		l := r.t.Add(time.Hour)
		if wd := l.Weekday(); wd != time.Saturday && wd != time.Sunday && l.Hour() >= 8 && l.Hour() < 19 {
			work++
		}
	}
	if f := float64(work) / float64(len(recs)); f < 0.6 {
		t.Errorf("only %.0f%% of the records in working hours", 100*f)
	}
}

// TestEpisode looks for the planted attack the way an investigator would.
func TestEpisode(t *testing.T) {
	for _, o := range []demo.Options{{Events: 200, Seed: 1}, {Events: 200, Seed: 2, Days: 30}, {Events: 60000, Seed: 3}} {
		recs := parse(t, generate(t, o), false)
		end, days := defaultEnd, o.Days
		if days == 0 {
			days = 180
		}
		thirdStart := end.Add(-time.Duration(days) * 24 * time.Hour / 3)
		found := 0
		for i, r := range recs {
			if r.Action != "user.login" || !strings.HasPrefix(r.Client.IP, "185.220.101.") {
				continue
			}
			if h := r.t.Add(time.Hour).Hour(); h < 2 || h > 4 {
				t.Errorf("suspicious login at %s, not at night", r.t)
			}
			if r.t.Before(thirdStart) {
				t.Errorf("suspicious login at %s, not in the last third", r.t)
			}
			// The address is new: before the login only the same user's
			// failed attempts of the last minutes came from it.
			for j := range i {
				if recs[j].Client.IP == r.Client.IP && (recs[j].Action != "user.login_failed" || recs[j].Actor.ID != r.Actor.ID || r.t.Sub(recs[j].t) > 10*time.Minute) {
					t.Errorf("address %s seen before the episode: %+v", r.Client.IP, recs[j])
				}
			}
			var steps []string
			for _, s := range recs[i+1:] {
				if s.SessionID != r.SessionID {
					continue
				}
				if s.Actor.ID != r.Actor.ID || s.Client.IP != r.Client.IP {
					t.Errorf("session %s changed hands", r.SessionID)
				}
				var after map[string]any
				json.Unmarshal(s.After, &after)
				switch s.Action {
				case "user.role_changed":
					var before map[string]any
					json.Unmarshal(s.Before, &before)
					if s.Resource.ID == r.Actor.ID && after["role"] == "ADMIN" && (before["role"] == "USER" || before["role"] == "RESPONDER") {
						steps = append(steps, "role")
					}
				case "api_key.created":
					if scopes, _ := after["scopes"].([]any); slices.Contains(scopes, any("admin")) {
						steps = append(steps, "key")
					}
				case "webhook.updated":
					if u, err := url.Parse(after["url"].(string)); err == nil && !strings.HasSuffix(u.Hostname(), "acme.io") {
						steps = append(steps, "webhook")
					}
				}
				if s.t.Sub(r.t) > time.Hour {
					t.Errorf("episode step %s %s after the login", s.Action, s.t.Sub(r.t))
				}
			}
			if !slices.Equal(steps, []string{"role", "key", "webhook"}) {
				t.Errorf("%+v: episode at %s has steps %v", o, r.t, steps)
			}
			found++
		}
		if found == 0 {
			t.Errorf("%+v: no episode", o)
		}
		if want := max(1, (o.Events+10000)/20000); found != want {
			t.Errorf("%+v: %d episodes, want %d", o, found, want)
		}
	}
	// Legitimate webhooks never leave acme.io.
	for _, r := range parse(t, generate(t, demo.Options{Events: 20000, Seed: 8}), false) {
		if strings.HasPrefix(r.Action, "webhook.") && r.hasAfter() && !strings.HasPrefix(r.Client.IP, "185.220.") {
			var after struct{ URL string }
			json.Unmarshal(r.After, &after)
			if u, _ := url.Parse(after.URL); !strings.HasSuffix(u.Hostname(), "acme.io") && after.URL != "https://exfil.example.net/hook" {
				t.Errorf("legitimate webhook to %s", after.URL)
			}
		}
	}
}
