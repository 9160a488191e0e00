package demo

import (
	"slices"
	"time"
)

// User management: people edit their own profile and MFA; administrators
// invite, re-role and remove users. Users with something still pointing at
// them (teams, schedules, policies, open alerts, a pending action) are not
// removed, nor are owners, administrators or the users of an episode.

func (g *gen) peopleChange(t time.Time) {
	switch g.choose([]float64{40, 15, 15, 12, 8}) {
	case 0:
		u := g.pickUser(anyUser)
		g.asUser(u, t, func(t time.Time, a actor) { g.updateSelf(t, a, u) })
	case 1:
		u := g.pickUser(anyUser)
		g.asUser(u, t, func(t time.Time, a actor) { g.toggleMFA(t, a, u) })
	case 2:
		g.asAdmin(t, g.changeRole)
	case 3:
		g.asAdmin(t, g.createUser)
	case 4:
		g.asAdmin(t, g.deleteUser)
	}
}

// asAdmin runs op as a random administrator in their session.
func (g *gen) asAdmin(t time.Time, op func(time.Time, actor)) {
	g.asUser(g.pickUser(isAdmin), t, op)
}

// updateSelf: a new phone number, language or notification channels.
func (g *gen) updateSelf(t time.Time, a actor, u *user) {
	st := &u.st
	switch g.rng.IntN(3) {
	case 0:
		p := []byte(st.Phone)
		p[len(p)-1-g.rng.IntN(4)] = byte('0' + g.rng.IntN(10))
		st.Phone = string(p)
	case 1:
		if st.Language == "en" {
			st.Language = "de"
		} else {
			st.Language = "en"
		}
	case 2:
		if i := slices.Index(st.Notify, "VOICE"); i >= 0 {
			st.Notify = slices.Delete(st.Notify, i, i+1)
		} else {
			st.Notify = append(st.Notify, "VOICE")
		}
	}
	g.updated(t, a, "user.updated", &u.entity, st.Name, st)
}

// toggleMFA: most users turn MFA on; a few turn it off again.
func (g *gen) toggleMFA(t time.Time, a actor, u *user) {
	if g.w.recent("user.mfa", t, 12*time.Hour) {
		return
	}
	g.w.mark("user.mfa", t)
	switch {
	case !u.st.MFA:
		u.st.MFA = true
		g.updated(t, a, "user.mfa_enabled", &u.entity, u.st.Name, &u.st)
	case g.chance(0.3) && !isAdmin(u):
		u.st.MFA = false
		g.updated(t, a, "user.mfa_disabled", &u.entity, u.st.Name, &u.st)
	}
}

// changeRole moves someone between the non-admin roles; rarely promotes to
// or demotes from ADMIN.
func (g *gen) changeRole(t time.Time, a actor) {
	if g.w.recent("user.role_changed", t, 12*time.Hour) {
		return
	}
	admins := 0
	for _, u := range g.w.users {
		if u.st.Role == roleAdmin {
			admins++
		}
	}
	u := g.pickUser(func(u *user) bool {
		return u.id != a.id && !u.locked && u.st.Role != roleOwner && (u.st.Role != roleAdmin || admins > 3)
	})
	if u == nil {
		return
	}
	roles := []string{roleResponder, roleUser, roleStakeholder}
	switch {
	case u.st.Role == roleAdmin:
		u.st.Role = roleResponder
	case admins < 6 && g.chance(0.05):
		u.st.Role = roleAdmin
	default:
		roles = remove(roles, u.st.Role)
		u.st.Role = pickStr(g, roles)
	}
	g.w.mark("user.role_changed", t)
	g.updated(t, a, "user.role_changed", &u.entity, u.st.Name, &u.st)
}

func (g *gen) createUser(t time.Time, a actor) {
	if g.w.recent("user.created", t, 7*day) {
		return
	}
	if len(g.w.users) >= maxUsers {
		return
	}
	role := pickStr(g, []string{roleResponder, roleResponder, roleUser, roleStakeholder})
	u := g.newUser(role)
	g.w.users = append(g.w.users, u)
	g.created(t, a, "user.created", &u.entity, u.st.Name, &u.st)
}

func (g *gen) deleteUser(t time.Time, a actor) {
	if g.w.recent("user.deleted", t, 12*day) {
		return
	}
	w := g.w
	if len(w.users) <= minUsers {
		return
	}
	u := g.pickUser(func(u *user) bool {
		return u.id != a.id && !isAdmin(u) && !u.locked && u.hold == 0 && !w.referenced(u)
	})
	if u == nil {
		return
	}
	w.users = remove(w.users, u)
	u.gone, u.sess = true, nil
	g.deleted(t, a, "user.deleted", &u.entity, u.st.Name)
}

// forbiddenAttempt: a user without the rights tries an admin action and is
// refused ("insufficient permissions"); nothing changes.
func (g *gen) forbiddenAttempt(t time.Time) {
	u := g.pickUser(func(u *user) bool { return u.st.Role == roleUser || u.st.Role == roleStakeholder })
	g.asUser(u, t, func(t time.Time, a actor) {
		const reason = "insufficient permissions"
		switch g.rng.IntN(3) {
		case 0:
			if p := pickOf(g, g.w.policies); p != nil {
				g.denied(t, a, "escalation_policy.updated", &p.entity, p.st.Name, reason)
			}
		case 1:
			if h := pickOf(g, g.w.webhooks); h != nil {
				g.denied(t, a, "webhook.updated", &h.entity, h.st.Name, reason)
			}
		default:
			g.denied(t, a, "user.role_changed", &u.entity, u.st.Name, reason)
		}
	})
}
