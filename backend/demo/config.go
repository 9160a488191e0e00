package demo

import (
	"slices"
	"strconv"
	"time"
)

// Configuration changes: escalation policies, schedules, alert sources,
// services, teams and the status page, edited by administrators, by
// responders (their schedules, services and teams only) or by Terraform
// through its API key. Each op writes one record, or none when it finds
// nothing to act on.

type configOp struct {
	weight float64
	admin  bool // needs an administrator (or the Terraform key)
	run    func(*gen, time.Time, actor)
}

var configOps = []configOp{
	{25, true, (*gen).updatePolicy},
	{22, false, (*gen).updateSchedule},
	{14, true, (*gen).updateSource},
	{12, false, (*gen).updateService},
	{8, false, (*gen).updateTeam},
	{6, false, (*gen).updateStatusPage},
	{2, true, (*gen).createSource},
	{1.5, true, (*gen).deleteSource},
	{1, true, (*gen).createPolicy},
	{0.7, true, (*gen).deletePolicy},
	{0.6, true, (*gen).createSchedule},
	{0.5, true, (*gen).createService},
	{0.4, true, (*gen).createTeam},
}

// configChange: who changes the configuration now.
func (g *gen) configChange(t time.Time) {
	if k := g.w.key(keyTerraform); k != nil && g.chance(0.12) {
		g.applyConfig(t, keyActor(k), true)
		return
	}
	if g.chance(0.65) {
		g.asUser(g.pickUser(isAdmin), t, func(t time.Time, a actor) { g.applyConfig(t, a, true) })
		return
	}
	g.asUser(g.pickUser(isResponder), t, func(t time.Time, a actor) { g.applyConfig(t, a, false) })
}

// applyConfig draws one op allowed to the actor and runs it.
func (g *gen) applyConfig(t time.Time, a actor, admin bool) {
	ws := make([]float64, len(configOps))
	for i, op := range configOps {
		if admin || !op.admin {
			ws[i] = op.weight
		}
	}
	configOps[g.choose(ws)].run(g, t, a)
}

func (g *gen) updatePolicy(t time.Time, a actor) {
	p := pickOf(g, g.w.policies)
	if p == nil {
		return
	}
	st := &p.st
	r := &st.Rules[g.rng.IntN(len(st.Rules))]
	switch g.rng.IntN(5) {
	case 0:
		r.EscalationTimeout = pickInt(g, escalationTimeouts)
	case 1:
		st.Repeat = g.rng.IntN(4)
	case 2:
		if len(r.Users) > 1 && g.chance(shrink(len(r.Users), 3)) {
			r.Users = slices.Delete(r.Users, len(r.Users)-1, len(r.Users))
		} else if u := g.pickUser(func(u *user) bool { return isResponder(u) && !slices.Contains(r.Users, u.id) }); u != nil {
			r.Users = append(r.Users, u.id)
		}
	case 3:
		if s := pickOf(g, g.w.schedules); s != nil {
			r.Schedules = []string{s.id}
		}
	case 4:
		if len(st.Rules) < 4 {
			admin := g.pickUser(func(u *user) bool { return u.st.Role == roleAdmin })
			if admin == nil {
				admin = g.w.owner
			}
			st.Rules = append(st.Rules, rule{EscalationTimeout: 30, Users: []string{admin.id}, Schedules: []string{}})
		} else {
			st.Rules = st.Rules[:len(st.Rules)-1]
		}
	}
	g.updated(t, a, "escalation_policy.updated", &p.entity, st.Name, st)
}

func (g *gen) updateSchedule(t time.Time, a actor) {
	s := pickOf(g, g.w.schedules)
	if s == nil {
		return
	}
	l := &s.st.Layers[0]
	switch g.rng.IntN(4) {
	case 0: // swap shifts: rotate the order
		if len(l.Users) > 1 {
			l.Users = append(l.Users[1:], l.Users[0])
		}
	case 1:
		if len(l.Users) > 2 && g.chance(shrink(len(l.Users), 5)) {
			l.Users = slices.Delete(l.Users, 0, 1)
		} else if u := g.pickUser(func(u *user) bool { return isResponder(u) && !slices.Contains(l.Users, u.id) }); u != nil {
			l.Users = append(l.Users, u.id)
		}
	case 2:
		l.HandoffTime = pickStr(g, []string{"08:00", "08:30", "09:00", "10:00"})
	case 3:
		l.Rotation = pickStr(g, []string{"DAILY", "WEEKLY", "WEEKLY"})
	}
	g.updated(t, a, "schedule.updated", &s.entity, s.st.Name, &s.st)
}

func (g *gen) updateSource(t time.Time, a actor) {
	s := pickOf(g, g.w.sources)
	if s == nil {
		return
	}
	switch g.rng.IntN(3) {
	case 0:
		if p := pickOf(g, g.w.policies); p != nil {
			s.st.EscalationPolicy = p.id
		}
	case 1:
		s.st.AlertPriority = pickStr(g, []string{"HIGH", "LOW"})
	case 2:
		active := 0
		for _, x := range g.w.sources {
			if x.st.Active {
				active++
			}
		}
		if !s.st.Active || active > 3 {
			s.st.Active = !s.st.Active
		}
	}
	g.updated(t, a, "alert_source.updated", &s.entity, s.st.Name, &s.st)
}

// updateService: outages come and go; mostly back to operational.
func (g *gen) updateService(t time.Time, a actor) {
	s := pickOf(g, g.w.services)
	if s == nil {
		return
	}
	if s.st.Status != statusOperational {
		s.st.Status = statusOperational
	} else if g.chance(0.85) {
		s.st.Status = pickStr(g, serviceStatuses)
	} else {
		s.st.Description += " (owner: " + s.st.Teams[0] + ")"
		if len(s.st.Description) > 80 {
			s.st.Description = s.st.Name
		}
	}
	g.updated(t, a, "service.updated", &s.entity, s.st.Name, &s.st)
}

func (g *gen) updateTeam(t time.Time, a actor) {
	tm := pickOf(g, g.w.teams)
	if tm == nil {
		return
	}
	switch {
	case len(tm.st.Members) > 2 && g.chance(shrink(len(tm.st.Members), 8)):
		tm.st.Members = slices.Delete(tm.st.Members, len(tm.st.Members)-1, len(tm.st.Members))
	case g.chance(0.85):
		u := g.pickUser(func(u *user) bool { return !slices.Contains(tm.st.Members, u.id) })
		if u == nil {
			return
		}
		tm.st.Members = append(tm.st.Members, u.id)
	default:
		if tm.st.Visibility == "PUBLIC" {
			tm.st.Visibility = "PRIVATE"
		} else {
			tm.st.Visibility = "PUBLIC"
		}
	}
	g.updated(t, a, "team.updated", &tm.entity, tm.st.Name, &tm.st)
}

func (g *gen) updateStatusPage(t time.Time, a actor) {
	p := g.w.page
	switch {
	case p.st.Announcement != "":
		p.st.Announcement = ""
	case g.chance(0.7):
		p.st.Announcement = pickStr(g, announcements)
	default:
		if s := pickOf(g, g.w.services); s != nil && !slices.Contains(p.st.Services, s.id) {
			p.st.Services = append(p.st.Services, s.id)
		} else if len(p.st.Services) > 3 {
			p.st.Services = p.st.Services[:len(p.st.Services)-1]
		}
	}
	g.updated(t, a, "status_page.updated", &p.entity, p.st.Name, &p.st)
}

// shrink is the chance that an edit of a member list removes rather than
// adds someone: lists hover around their usual size instead of growing to
// everyone.
func shrink(n, usual int) float64 {
	if n > usual {
		return 0.7
	}
	return 0.3
}

// nth names the n-th extra resource from a list, numbering repeats.
func nth(names []string, n int) string {
	if n < len(names) {
		return names[n]
	}
	return names[n%len(names)] + " " + strconv.Itoa(n/len(names)+1)
}

func (g *gen) createSource(t time.Time, a actor) {
	if g.w.recent("alert_source.created", t, 4*day) {
		return
	}
	w := g.w
	p := pickOf(g, w.policies)
	if len(w.sources) >= maxSources || p == nil {
		return
	}
	k := w.nSource - len(sourceSeeds) // extra sources so far
	x := extraSources[k%len(extraSources)]
	w.nSource++
	s := &source{entity: entity{typ: "ALERT_SOURCE", id: id("as_", w.nSource)}}
	s.st = sourceState{Name: x.name, IntegrationType: x.typ, EscalationPolicy: p.id,
		AlertPriority: pickStr(g, []string{"HIGH", "LOW"}), Active: true}
	if k >= len(extraSources) {
		s.st.Name += " " + strconv.Itoa(k/len(extraSources)+1)
	}
	w.sources = append(w.sources, s)
	g.created(t, a, "alert_source.created", &s.entity, s.st.Name, &s.st)
}

func (g *gen) deleteSource(t time.Time, a actor) {
	if g.w.recent("alert_source.deleted", t, 6*day) {
		return
	}
	w := g.w
	if len(w.sources) <= minSources {
		return
	}
	s := pickOf(g, w.sources)
	w.sources = remove(w.sources, s)
	g.deleted(t, a, "alert_source.deleted", &s.entity, s.st.Name)
}

func (g *gen) createPolicy(t time.Time, a actor) {
	if g.w.recent("escalation_policy.created", t, 6*day) {
		return
	}
	w := g.w
	s, u := pickOf(g, w.schedules), g.pickUser(isResponder)
	if len(w.policies) >= maxPolicies || s == nil || u == nil {
		return
	}
	name := nth(extraPolicies, w.nPolicy-len(policyNames))
	w.nPolicy++
	p := &policy{entity: entity{typ: "ESCALATION_POLICY", id: id("ep_", w.nPolicy)}}
	p.st = policyState{Name: name, Repeat: 1, Rules: []rule{
		{EscalationTimeout: pickInt(g, escalationTimeouts), Users: []string{}, Schedules: []string{s.id}},
		{EscalationTimeout: 30, Users: []string{u.id}, Schedules: []string{}},
	}}
	w.policies = append(w.policies, p)
	g.created(t, a, "escalation_policy.created", &p.entity, p.st.Name, &p.st)
}

// deletePolicy removes a policy no alert source uses.
func (g *gen) deletePolicy(t time.Time, a actor) {
	if g.w.recent("escalation_policy.deleted", t, 8*day) {
		return
	}
	w := g.w
	if len(w.policies) <= minPolicies {
		return
	}
	p := pickOf(g, w.policies)
	for _, s := range w.sources {
		if s.st.EscalationPolicy == p.id {
			return
		}
	}
	w.policies = remove(w.policies, p)
	g.deleted(t, a, "escalation_policy.deleted", &p.entity, p.st.Name)
}

func (g *gen) createSchedule(t time.Time, a actor) {
	if g.w.recent("schedule.created", t, 8*day) {
		return
	}
	w := g.w
	tm := pickOf(g, w.teams)
	if len(w.schedules) >= maxSchedules || tm == nil {
		return
	}
	var users []string
	for _, m := range tm.st.Members {
		if u := w.user(m); u != nil && isResponder(u) {
			users = append(users, m)
		}
	}
	if len(users) == 0 {
		return
	}
	name := nth(extraSchedules, w.nSchedule-5)
	w.nSchedule++
	s := &schedule{entity: entity{typ: "SCHEDULE", id: id("sch_", w.nSchedule)}}
	s.st = scheduleState{Name: name, Timezone: tenantZone, Team: tm.id, Layers: []layer{
		{Name: "Primary", Rotation: "WEEKLY", HandoffTime: "09:00", Users: users},
	}}
	w.schedules = append(w.schedules, s)
	g.created(t, a, "schedule.created", &s.entity, s.st.Name, &s.st)
}

func (g *gen) createService(t time.Time, a actor) {
	if g.w.recent("service.created", t, 8*day) {
		return
	}
	w := g.w
	tm := pickOf(g, w.teams)
	if len(w.services) >= maxServices || tm == nil {
		return
	}
	name := nth(extraServices, w.nService-len(serviceSeeds))
	w.nService++
	s := &service{entity: entity{typ: "SERVICE", id: id("svc_", w.nService)}}
	s.st = serviceState{Name: name, Description: name, Status: statusOperational, Teams: []string{tm.id}}
	w.services = append(w.services, s)
	g.created(t, a, "service.created", &s.entity, s.st.Name, &s.st)
}

func (g *gen) createTeam(t time.Time, a actor) {
	if g.w.recent("team.created", t, 10*day) {
		return
	}
	w := g.w
	if len(w.teams) >= maxTeams {
		return
	}
	name := nth(extraTeams, w.nTeam-len(teamSeeds))
	w.nTeam++
	tm := &team{entity: entity{typ: "TEAM", id: id("team_", w.nTeam)}}
	tm.st = teamState{Name: name, Description: name + " team", Visibility: "PRIVATE", Members: []string{}}
	if u := g.pickUser(isResponder); u != nil {
		tm.st.Members = append(tm.st.Members, u.id)
	}
	w.teams = append(w.teams, tm)
	g.created(t, a, "team.created", &tm.entity, tm.st.Name, &tm.st)
}
