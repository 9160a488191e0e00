package demo

import (
	"math/rand/v2"
	"slices"
	"time"
)

// The opening of the trail: the owner signs up (SYSTEM creates the account
// owner), logs in and creates the tenant one resource per record: users,
// teams, schedules, escalation policies, alert sources, services, webhooks
// and API keys. The objects are planned here; each step adds its object to
// the live world when its record is written.

func (g *gen) setupSteps() []func(time.Time) {
	w := g.w
	owner := g.newUser(roleOwner)
	w.owner = owner
	steps := []func(time.Time){
		func(t time.Time) {
			w.users = append(w.users, owner)
			g.created(t, systemActor, "user.created", &owner.entity, owner.st.Name, &owner.st)
		},
		func(t time.Time) { g.login(owner, t) },
	}
	// add appends a step done by the owner in their setup session.
	add := func(f func(t time.Time, a actor)) {
		steps = append(steps, func(t time.Time) {
			owner.sess.last = t
			f(t, userActor(owner, owner.sess))
		})
	}

	// People: three admins, then mostly responders.
	people := []*user{owner}
	n := 25 + g.rng.IntN(16)
	for k := 2; k <= n; k++ {
		role := roleAdmin
		switch r := g.rng.Float64(); {
		case k <= 4:
		case k <= 9 || r < 0.62:
			role = roleResponder
		case r < 0.86:
			role = roleUser
		default:
			role = roleStakeholder
		}
		u := g.newUser(role)
		people = append(people, u)
		add(func(t time.Time, a actor) {
			w.users = append(w.users, u)
			g.created(t, a, "user.created", &u.entity, u.st.Name, &u.st)
		})
	}
	var responders, admins []*user
	for _, u := range people {
		if isResponder(u) {
			responders = append(responders, u)
		} else if u.st.Role == roleAdmin {
			admins = append(admins, u)
		}
	}

	// Teams: everyone in one team, some in two; at least two responders each.
	members := make([][]*user, len(teamSeeds))
	for _, u := range people[1:] {
		i := g.rng.IntN(len(members))
		members[i] = append(members[i], u)
		if j := g.rng.IntN(len(members)); j != i && g.chance(0.25) {
			members[j] = append(members[j], u)
		}
	}
	teamResponders := make([][]string, len(teamSeeds))
	for i := range members {
		for len(filterIDs(members[i], isResponder)) < 2 {
			if r := responders[g.rng.IntN(len(responders))]; !slices.Contains(members[i], r) {
				members[i] = append(members[i], r)
			}
		}
		slices.SortFunc(members[i], func(a, b *user) int { return a.num - b.num })
		teamResponders[i] = filterIDs(members[i], isResponder)
		w.nTeam++
		tm := &team{entity: entity{typ: "TEAM", id: id("team_", w.nTeam)}}
		tm.st = teamState{Name: teamSeeds[i].name, Description: teamSeeds[i].desc, Visibility: "PRIVATE", Members: filterIDs(members[i], anyUser)}
		add(func(t time.Time, a actor) {
			w.teams = append(w.teams, tm)
			g.created(t, a, "team.created", &tm.entity, tm.st.Name, &tm.st)
		})
	}

	// Schedules and escalation policies, one per team but Security's.
	var schedIDs, policyIDs []string
	for i := 0; i < 5; i++ {
		w.nSchedule++
		s := &schedule{entity: entity{typ: "SCHEDULE", id: id("sch_", w.nSchedule)}}
		rotation, name := "WEEKLY", teamSeeds[i].name+" on-call"
		if i == 4 {
			rotation, name = "DAILY", "Support business hours"
		}
		s.st = scheduleState{Name: name, Timezone: tenantZone, Team: id("team_", i+1), Layers: []layer{
			{Name: "Primary", Rotation: rotation, HandoffTime: "09:00", Users: slices.Clone(teamResponders[i])},
		}}
		schedIDs = append(schedIDs, s.id)
		add(func(t time.Time, a actor) {
			w.schedules = append(w.schedules, s)
			g.created(t, a, "schedule.created", &s.entity, s.st.Name, &s.st)
		})
	}
	for i := 0; i < 5; i++ {
		w.nPolicy++
		p := &policy{entity: entity{typ: "ESCALATION_POLICY", id: id("ep_", w.nPolicy)}}
		second := teamResponders[i][len(teamResponders[i])-2:]
		p.st = policyState{Name: policyNames[i], Repeat: 1 + g.rng.IntN(2), Rules: []rule{
			{EscalationTimeout: pickInt(g, []int{10, 15}), Users: []string{}, Schedules: []string{schedIDs[i]}},
			{EscalationTimeout: pickInt(g, []int{20, 30}), Users: slices.Clone(second), Schedules: []string{}},
			{EscalationTimeout: 30, Users: []string{admins[i%len(admins)].id}, Schedules: []string{}},
		}}
		policyIDs = append(policyIDs, p.id)
		add(func(t time.Time, a actor) {
			w.policies = append(w.policies, p)
			g.created(t, a, "escalation_policy.created", &p.entity, p.st.Name, &p.st)
		})
	}

	for _, sd := range sourceSeeds {
		w.nSource++
		s := &source{entity: entity{typ: "ALERT_SOURCE", id: id("as_", w.nSource)}}
		s.st = sourceState{Name: sd.name, IntegrationType: sd.typ, EscalationPolicy: policyIDs[sd.policy], AlertPriority: sd.prio, Active: true}
		add(func(t time.Time, a actor) {
			w.sources = append(w.sources, s)
			g.created(t, a, "alert_source.created", &s.entity, s.st.Name, &s.st)
		})
	}

	// Services and the public status page listing them (the page exists
	// with the tenant: it has no creation record of its own).
	var serviceIDs []string
	for _, sd := range serviceSeeds {
		w.nService++
		s := &service{entity: entity{typ: "SERVICE", id: id("svc_", w.nService)}}
		s.st = serviceState{Name: sd.name, Description: sd.desc, Status: statusOperational, Teams: []string{id("team_", sd.team+1)}}
		serviceIDs = append(serviceIDs, s.id)
		add(func(t time.Time, a actor) {
			w.services = append(w.services, s)
			g.created(t, a, "service.created", &s.entity, s.st.Name, &s.st)
		})
	}
	w.page = &statusPage{entity: entity{typ: "STATUS_PAGE", id: "sp_1"}}
	w.page.st = statusPageState{Name: "Acme Status", Domain: "status." + tenantDomain, Visibility: "PUBLIC", Services: serviceIDs}
	w.page.snap = g.encode(&w.page.st)

	for i, sd := range webhookSeeds {
		w.nWebhook++
		h := &webhook{entity: entity{typ: "WEBHOOK", id: id("wh_", w.nWebhook)}}
		events := webhookEvents[:5-2*i] // all, then fewer
		h.st = webhookState{Name: sd.name, URL: sd.url, Events: slices.Clone(events), Enabled: true, SecretSet: true}
		add(func(t time.Time, a actor) {
			w.webhooks = append(w.webhooks, h)
			g.created(t, a, "webhook.created", &h.entity, h.st.Name, &h.st)
		})
	}

	keys := []struct {
		label, purpose, ip, ua string
		scopes                 []string
	}{
		{"terraform-prod", keyTerraform, terraformIP, terraformAgent, []string{"alert_sources:write", "escalation_policies:write", "schedules:write", "services:write"}},
		{"jira-sync", keySync, syncIP, syncAgent, []string{"alerts:read", "alerts:write"}},
		{"grafana-export", keyOther, "192.0.2.203", "Grafana/11.1.0", []string{"alerts:read"}},
	}
	for _, kd := range keys {
		w.nKey++
		k := &apiKey{entity: entity{typ: "API_KEY", id: id("key_", w.nKey)}, purpose: kd.purpose, ip: kd.ip, ua: kd.ua}
		k.st = apiKeyState{Label: kd.label, Scopes: slices.Clone(kd.scopes), CreatedBy: owner.id}
		add(func(t time.Time, a actor) {
			k.st.ExpiresAt = expiry(t)
			w.keys = append(w.keys, k)
			g.created(t, a, "api_key.created", &k.entity, k.st.Label, &k.st)
		})
	}
	return steps
}

// setupTimes spaces n setup records a few seconds apart, starting at the
// first 09:00 local time of the trail (or its very start for short spans).
func setupTimes(rng *rand.Rand, start, end time.Time, n int) []time.Time {
	l := start.Add(localOffset)
	nine := time.Date(l.Year(), l.Month(), l.Day(), 9, 0, 0, 0, time.UTC).Add(-localOffset)
	if nine.Before(start) {
		nine = nine.Add(24 * time.Hour)
	}
	t := start
	if nine.Sub(start) <= end.Sub(start)/10 {
		t = nine
	}
	t = t.Add(time.Duration(rng.IntN(300_000)) * time.Millisecond)
	times := make([]time.Time, n)
	for i := range times {
		times[i] = t
		t = t.Add(time.Duration(3000+rng.IntN(27_000)) * time.Millisecond)
	}
	return times
}

// expiry is one year after t, as an ISO date-time.
func expiry(t time.Time) string {
	return t.AddDate(1, 0, 0).Truncate(24 * time.Hour).Format(time.RFC3339)
}

func filterIDs(us []*user, ok func(*user) bool) []string {
	ids := []string{}
	for _, u := range us {
		if ok(u) {
			ids = append(ids, u.id)
		}
	}
	return ids
}

func pickInt(g *gen, xs []int) int { return xs[g.rng.IntN(len(xs))] }
