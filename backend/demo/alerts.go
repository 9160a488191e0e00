package demo

import (
	"fmt"
	"strings"
	"time"
)

// The alert lifecycle, the bulk of the trail: the platform (SYSTEM) opens an
// alert from an alert source and pages the on-call person of its escalation
// policy; it may escalate to the next level; a responder acknowledges it
// minutes later, maybe comments, and it is resolved by them or
// automatically. Each alert has at most one pending follow-up, and is
// forgotten once resolved.

func (g *gen) newAlert(t time.Time) {
	w := g.w
	if w.openAlerts >= maxOpenAlerts {
		return
	}
	n := 0
	for _, s := range w.sources {
		if s.st.Active {
			n++
		}
	}
	if n == 0 {
		return
	}
	var src *source
	k := g.rng.IntN(n)
	for _, s := range w.sources {
		if s.st.Active {
			if k == 0 {
				src = s
				break
			}
			k--
		}
	}
	w.nAlert++
	a := &alert{entity: entity{typ: "ALERT", id: id("al_", w.nAlert)}}
	prio := src.st.AlertPriority
	if g.chance(0.15) {
		if prio == "HIGH" {
			prio = "LOW"
		} else {
			prio = "HIGH"
		}
	}
	a.st = alertState{
		Summary:          g.alertSummary(src.st.IntegrationType),
		Priority:         prio,
		Status:           "PENDING",
		AlertSource:      src.id,
		EscalationPolicy: src.st.EscalationPolicy,
	}
	g.assign(a, g.onCall(a.st.EscalationPolicy, 0, t))
	g.created(t, systemActor, "alert.created", &a.entity, a.st.Summary, &a.st)
	w.openAlerts++

	switch r := g.rng.Float64(); {
	case r < 0.12: // flapping: the source resolves it before anyone reacts
		g.later(t.Add(g.between(2*time.Minute, 40*time.Minute)), func(t time.Time) { g.resolveAlert(a, t, true) })
	case r < 0.30: // nobody reacts in time
		g.later(t.Add(g.levelTimeout(a)), func(t time.Time) { g.escalateAlert(a, t) })
	default:
		g.later(t.Add(g.ackDelay(a)), func(t time.Time) { g.ackAlert(a, t) })
	}
}

func (g *gen) alertSummary(typ string) string {
	texts := alertTexts[typ]
	if len(texts) == 0 {
		texts = alertTexts["API"]
	}
	host := fmt.Sprintf(pickStr(g, alertHosts), 1+g.rng.IntN(12))
	return fmt.Sprintf(pickStr(g, texts), host)
}

// assign makes id the alert's assignee, keeping the users' hold counts.
func (g *gen) assign(a *alert, id string) {
	if u := g.w.user(a.st.AssignedTo); u != nil {
		u.hold--
	}
	a.st.AssignedTo = id
	if u := g.w.user(id); u != nil {
		u.hold++
	}
}

// onCall is whom level `level` of policy polID pages at t: the on-call
// person of the rule's schedule, or one of the rule's users.
func (g *gen) onCall(polID string, level int, t time.Time) string {
	if p := g.w.policy(polID); p != nil && len(p.st.Rules) > 0 {
		r := p.st.Rules[level%len(p.st.Rules)]
		if len(r.Schedules) > 0 && (len(r.Users) == 0 || g.chance(0.7)) {
			if s := g.w.schedule(r.Schedules[0]); s != nil {
				if id := s.onCall(t); id != "" {
					return id
				}
			}
		}
		if len(r.Users) > 0 {
			return pickStr(g, r.Users)
		}
	}
	if u := g.pickUser(isResponder); u != nil {
		return u.id
	}
	return g.w.owner.id
}

// levelTimeout: the current rule's escalation timeout, plus a few seconds.
func (g *gen) levelTimeout(a *alert) time.Duration {
	mins := 15
	if p := g.w.policy(a.st.EscalationPolicy); p != nil && len(p.st.Rules) > 0 {
		mins = p.st.Rules[a.st.EscalationLevel%len(p.st.Rules)].EscalationTimeout
	}
	return time.Duration(mins)*time.Minute + g.between(time.Second, 20*time.Second)
}

// ackDelay: high priority alerts are acknowledged within minutes.
func (g *gen) ackDelay(a *alert) time.Duration {
	if a.st.Priority == "HIGH" {
		return g.between(30*time.Second, 8*time.Minute)
	}
	return g.between(2*time.Minute, 50*time.Minute)
}

func (g *gen) resolveDelay() time.Duration {
	if g.chance(0.7) {
		return g.between(5*time.Minute, 50*time.Minute)
	}
	return g.between(50*time.Minute, 5*time.Hour)
}

func (g *gen) escalateAlert(a *alert, t time.Time) {
	a.st.EscalationLevel++
	g.assign(a, g.onCall(a.st.EscalationPolicy, a.st.EscalationLevel, t))
	g.updated(t, systemActor, "alert.escalated", &a.entity, a.st.Summary, &a.st)
	if a.st.EscalationLevel < 3 && g.chance(0.2) {
		g.later(t.Add(g.levelTimeout(a)), func(t time.Time) { g.escalateAlert(a, t) })
		return
	}
	g.later(t.Add(g.between(20*time.Second, 5*time.Minute)), func(t time.Time) { g.ackAlert(a, t) })
}

// assignee is the user who works on the alert (a responder if the assignee
// is gone).
func (g *gen) assignee(a *alert) *user {
	if u := g.w.user(a.st.AssignedTo); u != nil {
		return u
	}
	if u := g.pickUser(isResponder); u != nil {
		return u
	}
	return g.w.owner
}

func (g *gen) ackAlert(a *alert, t time.Time) {
	u := g.assignee(a)
	g.asUser(u, t, func(t time.Time, ac actor) {
		a.st.Status = "ACCEPTED"
		g.assign(a, u.id)
		g.updated(t, ac, "alert.acknowledged", &a.entity, a.st.Summary, &a.st)
		if g.chance(0.35) {
			g.later(t.Add(g.between(time.Minute, 30*time.Minute)), func(t time.Time) { g.commentAlert(a, t) })
		} else {
			g.later(t.Add(g.resolveDelay()), func(t time.Time) { g.resolveAlert(a, t, false) })
		}
	})
}

// commentAlert: the responder writes a note, or the Jira sync bot links the
// ticket.
func (g *gen) commentAlert(a *alert, t time.Time) {
	act := func(t time.Time, ac actor) {
		a.st.Comments++
		a.st.LastComment = pickStr(g, alertComments)
		if strings.Contains(a.st.LastComment, "%d") {
			a.st.LastComment = fmt.Sprintf(a.st.LastComment, 1000+g.rng.IntN(9000))
		}
		g.updated(t, ac, "alert.commented", &a.entity, a.st.Summary, &a.st)
		if g.chance(0.15) {
			g.later(t.Add(g.between(time.Minute, 20*time.Minute)), func(t time.Time) { g.commentAlert(a, t) })
		} else {
			g.later(t.Add(g.resolveDelay()), func(t time.Time) { g.resolveAlert(a, t, false) })
		}
	}
	if k := g.w.key(keySync); k != nil && g.chance(0.25) {
		act(t, keyActor(k))
		return
	}
	g.asUser(g.assignee(a), t, act)
}

// resolveAlert closes the alert: by the platform (auto) or its assignee.
func (g *gen) resolveAlert(a *alert, t time.Time, auto bool) {
	act := func(t time.Time, ac actor) {
		a.st.Status = "RESOLVED"
		g.updated(t, ac, "alert.resolved", &a.entity, a.st.Summary, &a.st)
		g.assign(a, "") // releases the assignee
		g.w.openAlerts--
	}
	if auto || g.chance(0.3) {
		act(t, systemActor)
		return
	}
	g.asUser(g.assignee(a), t, act)
}
