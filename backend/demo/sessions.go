package demo

import (
	"time"
)

// Web sessions. A login starts a session; the user's following actions carry
// its id, address and browser until they log out, stay idle too long, or the
// session hits its maximum age. Acting without a live session means logging
// in first (asUser).

type session struct {
	id, ip, ua  string
	start, last time.Time
}

const (
	sessionIdle = 2 * time.Hour
	sessionMax  = 10 * time.Hour
)

// active returns u's session if it is still alive at t.
func (u *user) active(t time.Time) *session {
	s := u.sess
	if s == nil || t.Sub(s.last) > sessionIdle || t.Sub(s.start) > sessionMax {
		return nil
	}
	return s
}

func (g *gen) newSessionID() string {
	g.nSession++
	return string(appendHex([]byte("ses_"), mixBits(g.nSession+g.sesKey, 48), 12))
}

func userActor(u *user, s *session) actor {
	return actor{id: u.id, typ: "USER", name: u.st.Name, email: u.st.Email, ip: s.ip, ua: s.ua, session: s.id}
}

// keyActor: API keys have no session and no email.
func keyActor(k *apiKey) actor {
	return actor{id: k.id, typ: "API_KEY", name: k.st.Label, ip: k.ip, ua: k.ua}
}

// usualClient is one of u's usual addresses and browsers; at night on-call
// responders often use the mobile app.
func (g *gen) usualClient(u *user, t time.Time) (ip, ua string) {
	ip = u.ips[0]
	if len(u.ips) > 1 && g.chance(0.35) {
		ip = u.ips[1]
	}
	ua = u.ua
	mobile := 0.5
	if workTime(t) {
		mobile = 0.08
	}
	if g.chance(mobile) {
		ua = mobileAgents[u.num%len(mobileAgents)]
	}
	return ip, ua
}

// login starts a new session for u at t.
func (g *gen) login(u *user, t time.Time) {
	ip, ua := g.usualClient(u, t)
	s := &session{id: g.newSessionID(), ip: ip, ua: ua, start: t, last: t}
	u.sess = s
	g.emit(&record{t: t, actor: userActor(u, s), action: "user.login", resType: u.typ, resID: u.id, resName: u.st.Name})
}

// asUser runs act as u within a live session. Without one, this slot is u's
// login and act follows in the next slot.
func (g *gen) asUser(u *user, t time.Time, act func(time.Time, actor)) {
	if u == nil || u.gone {
		return
	}
	if s := u.active(t); s != nil {
		s.last = t
		act(t, userActor(u, s))
		return
	}
	g.login(u, t)
	u.hold++ // not deletable until act ran
	g.later(t, func(t time.Time) {
		u.hold--
		switch {
		case u.gone:
		case u.sess == nil: // logged out meanwhile: log in again
			g.asUser(u, t, act)
		default: // even if idle since (sparse trails): it was just opened
			u.sess.last = t
			act(t, userActor(u, u.sess))
		}
	})
}

// explicitLogin: someone opens the app; at night only responders do. Half of
// them go on to do something within minutes.
func (g *gen) explicitLogin(t time.Time) {
	ok := anyUser
	if !workTime(t) {
		ok = isResponder
	}
	u := g.pickUser(ok)
	if u == nil {
		return
	}
	g.login(u, t)
	if g.chance(0.5) {
		g.later(t.Add(g.between(30*time.Second, 12*time.Minute)), func(t time.Time) { g.userWork(u, t) })
	}
}

// userWork is what a user does in their session, by role.
func (g *gen) userWork(u *user, t time.Time) {
	if u.gone {
		return
	}
	switch {
	case isAdmin(u) && g.chance(0.8):
		g.asUser(u, t, func(t time.Time, a actor) { g.applyConfig(t, a, true) })
	case isResponder(u) && g.chance(0.6):
		g.asUser(u, t, func(t time.Time, a actor) { g.applyConfig(t, a, false) })
	default:
		g.asUser(u, t, func(t time.Time, a actor) { g.updateSelf(t, a, u) })
	}
}

// failedLogin: a mistyped password or a failed MFA challenge, usually
// followed by a successful login a little later.
func (g *gen) failedLogin(t time.Time) {
	u := g.pickUser(anyUser)
	if u == nil {
		return
	}
	reason := "invalid password"
	if u.st.MFA && g.chance(0.3) {
		reason = "MFA challenge failed"
	}
	ip, ua := g.usualClient(u, t)
	a := actor{id: u.id, typ: "USER", name: u.st.Name, email: u.st.Email, ip: ip, ua: ua}
	g.denied(t, a, "user.login_failed", &u.entity, u.st.Name, reason)
	if g.chance(0.75) {
		g.later(t.Add(g.between(10*time.Second, 2*time.Minute)), func(t time.Time) {
			if !u.gone {
				g.login(u, t)
			}
		})
	}
}

// logout ends a live session.
func (g *gen) logout(t time.Time) {
	u := g.pickUser(func(u *user) bool { return u.active(t) != nil })
	if u == nil {
		return
	}
	a := userActor(u, u.sess)
	u.sess = nil
	g.emit(&record{t: t, actor: a, action: "user.logout", resType: u.typ, resID: u.id, resName: u.st.Name})
}
