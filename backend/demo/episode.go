package demo

import (
	"math/rand/v2"
	"slices"
	"strconv"
	"time"
)

// Suspicious episodes, what an investigator should find: at night (02:00-
// 04:59 local) an ordinary user logs in from an address never seen before
// (185.220.101.x, a Tor exit range), sometimes after failed attempts, makes
// themselves ADMIN, creates an API key with the "admin" scope and points a
// webhook at an external host, all in one session, then logs out.
//
// About one episode per 20,000 records, at least one from 200 records on,
// on distinct nights in the last third of the trail. Their timestamps are
// planned up front; their content is decided when written, from the world
// as it is then.

type epStep int

const (
	epFailed epStep = iota
	epLogin
	epRole
	epKey
	epWebhook
	epLogout
)

// exfilURL is where the episodes send the webhook.
const exfilURL = "https://exfil.example.net/hook"

type episode struct {
	at    []time.Time
	steps []epStep
	ip    string

	u    *user    // chosen at the first step
	sess *session // the attacker's session, from the login on
}

// planEpisodes plans the episodes for a trail of n records whose normal
// part spans [lo, end); third is where its last third begins.
func planEpisodes(rng *rand.Rand, n int, lo, third, end time.Time) []*episode {
	if n < 200 {
		return nil
	}
	m := max(1, (n+10_000)/20_000)
	from := third
	if lo.After(from) {
		from = lo
	}
	nights := candidateNights(from, end)
	if len(nights) < m {
		nights = candidateNights(lo, end) // widen to the whole trail
	}
	var starts []time.Time
	if len(nights) == 0 {
		// A span too short to hold a night: place it at the very end.
		starts = []time.Time{end.Add(-45 * time.Minute)}
	} else {
		m = min(m, len(nights))
		for i := 0; i < m; i++ { // partial Fisher-Yates: m distinct nights
			j := i + rng.IntN(len(nights)-i)
			nights[i], nights[j] = nights[j], nights[i]
		}
		nights = nights[:m]
		slices.SortFunc(nights, func(a, b time.Time) int { return a.Compare(b) })
		for _, d := range nights {
			starts = append(starts, d.Add(2*time.Hour+time.Duration(rng.IntN(150*60_000))*time.Millisecond))
		}
	}
	eps := make([]*episode, len(starts))
	off := rng.IntN(250)
	for i, login := range starts {
		// 97 is coprime to 250: distinct addresses for distinct episodes
		e := &episode{ip: "185.220." + strconv.Itoa(101+i/250) + "." + strconv.Itoa(2+(off+i*97)%250)}
		ms := func(lo, hi int) time.Duration {
			return time.Duration(lo*1000+rng.IntN((hi-lo)*1000)) * time.Millisecond
		}
		failed := []int{0, 0, 1, 2, 2}[rng.IntN(5)]
		t := login.Add(-time.Duration(failed) * 100 * time.Second)
		for range failed {
			e.at, e.steps = append(e.at, t), append(e.steps, epFailed)
			t = t.Add(ms(30, 100))
		}
		t = login
		for _, s := range []struct {
			step   epStep
			lo, hi int // seconds after the previous step
		}{{epLogin, 0, 1}, {epRole, 60, 180}, {epKey, 120, 360}, {epWebhook, 180, 600}, {epLogout, 300, 900}} {
			t = t.Add(ms(s.lo, s.hi))
			e.at, e.steps = append(e.at, t), append(e.steps, s.step)
		}
		eps[i] = e
	}
	return eps
}

// candidateNights lists the local midnights d (as instants) for which the
// whole episode window, d+01:50 to d+05:20 local, lies inside [lo, end).
func candidateNights(lo, end time.Time) []time.Time {
	var out []time.Time
	d := lo.Add(localOffset).Truncate(24 * time.Hour).Add(-localOffset)
	for ; d.Before(end); d = d.Add(24 * time.Hour) {
		if !d.Add(110*time.Minute).Before(lo) && d.Add(320*time.Minute).Before(end) {
			out = append(out, d)
		}
	}
	return out
}

// episodeStep writes step i of e at t.
func (g *gen) episodeStep(e *episode, i int, t time.Time) {
	w := g.w
	if e.u == nil {
		e.u = g.pickUser(func(u *user) bool { return !u.locked && (u.st.Role == roleUser || u.st.Role == roleResponder) })
		if e.u == nil {
			e.u = g.pickUser(func(u *user) bool { return u != w.owner })
		}
		e.u.locked = true // never deleted or re-roled by normal activity
	}
	u := e.u
	attacker := actor{id: u.id, typ: "USER", name: u.st.Name, email: u.st.Email, ip: e.ip, ua: attackerAgent}
	if e.sess != nil {
		e.sess.last = t
		attacker.session = e.sess.id
	}
	switch e.steps[i] {
	case epFailed:
		g.denied(t, attacker, "user.login_failed", &u.entity, u.st.Name, "invalid password")
	case epLogin:
		e.sess = &session{id: g.newSessionID(), ip: e.ip, ua: attackerAgent, start: t, last: t}
		attacker.session = e.sess.id
		g.emit(&record{t: t, actor: attacker, action: "user.login", resType: u.typ, resID: u.id, resName: u.st.Name})
	case epRole:
		u.st.Role = roleAdmin
		g.updated(t, attacker, "user.role_changed", &u.entity, u.st.Name, &u.st)
	case epKey:
		w.nKey++
		k := &apiKey{entity: entity{typ: "API_KEY", id: id("key_", w.nKey)}, purpose: keyOther, ip: e.ip, ua: "curl/8.5.0"}
		k.st = apiKeyState{Label: "backup-sync", Scopes: []string{"admin", "alerts:read", "users:read", "webhooks:write"},
			ExpiresAt: expiry(t), CreatedBy: u.id}
		w.keys = append(w.keys, k)
		g.created(t, attacker, "api_key.created", &k.entity, k.st.Label, &k.st)
	case epWebhook:
		h := pickOf(g, w.webhooks)
		for _, x := range w.webhooks { // prefer the busiest one
			if len(x.st.Events) > len(h.st.Events) {
				h = x
			}
		}
		if h == nil { // cannot happen after the setup; stay one record
			g.emit(&record{t: t, actor: attacker, action: "user.logout", resType: u.typ, resID: u.id, resName: u.st.Name})
			return
		}
		h.st.URL, h.st.Enabled, h.st.SecretSet = exfilURL, true, false
		h.st.Events = slices.Clone(webhookEvents)
		g.updated(t, attacker, "webhook.updated", &h.entity, h.st.Name, &h.st)
	case epLogout:
		g.emit(&record{t: t, actor: attacker, action: "user.logout", resType: u.typ, resID: u.id, resName: u.st.Name})
	}
}
