package demo

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// The tenant's live people and resources. Only resources that exist right
// now are kept (deleted ones are dropped, resolved alerts are forgotten), and
// the counts are capped, so memory stays flat however long the trail is.
// Slices keep creation order; nothing iterates a map.

type user struct {
	entity
	st     userState
	num    int
	ips    []string // 1-2 usual addresses
	ua     string   // usual browser
	sess   *session // current web session, nil when logged out
	hold   int      // open alerts assigned + deferred actions: not deletable
	locked bool     // taken by a suspicious episode: never deleted or re-roled
	gone   bool     // deleted
}

type team struct {
	entity
	st teamState
}

type schedule struct {
	entity
	st scheduleState
}

type policy struct {
	entity
	st policyState
}

type source struct {
	entity
	st sourceState
}

type service struct {
	entity
	st serviceState
}

type statusPage struct {
	entity
	st statusPageState
}

type webhook struct {
	entity
	st webhookState
}

// apiKey also carries where its calls come from.
type apiKey struct {
	entity
	st      apiKeyState
	purpose string // "terraform", "sync" (comment bot) or "other"
	ip, ua  string
}

type alert struct {
	entity
	st alertState
}

type world struct {
	owner      *user
	users      []*user
	teams      []*team
	schedules  []*schedule
	policies   []*policy
	sources    []*source
	services   []*service
	page       *statusPage
	webhooks   []*webhook
	keys       []*apiKey
	openAlerts int

	// per-type counters for ids ("usr_12"), never reused
	nUser, nTeam, nSchedule, nPolicy, nSource, nService, nWebhook, nKey, nAlert int

	nameOff int // seeds which names the users get

	lastAt map[string]time.Time // when rate-limited actions last happened
}

// Caps on live resources (min, max) so the state stays small.
const (
	minUsers, maxUsers        = 22, 60
	minSources, maxSources    = 4, 14
	minPolicies, maxPolicies  = 3, 9
	maxSchedules, maxServices = 9, 10
	maxTeams                  = 9
	minWebhooks, maxWebhooks  = 2, 6
	maxOtherKeys              = 8
	maxOpenAlerts             = 400
	tenantDomain              = "acme.io"
	tenantZone                = "Europe/Berlin"
	roleOwner, roleAdmin      = "OWNER", "ADMIN"
	roleResponder, roleUser   = "RESPONDER", "USER"
	roleStakeholder           = "STAKEHOLDER"
	statusOperational         = "OPERATIONAL"
	keyTerraform, keySync     = "terraform", "sync"
	keyOther                  = "other"
	terraformAgent, syncAgent = "terraform-provider-ilert/2.4.1 (+https://www.terraform.io) Terraform/1.8.5", "acme-jira-sync/1.7 Go-http-client/2.0"
	terraformIP, syncIP       = "192.0.2.201", "192.0.2.202"
)

// recent rate-limits rare actions (hiring, deleting, creating resources) in
// trail time, so that dense trails do not churn through people and
// resources: it reports whether action was logged less than gap before t.
func (w *world) recent(action string, t time.Time, gap time.Duration) bool {
	last, ok := w.lastAt[action]
	return ok && t.Sub(last) < gap
}

// mark notes that action was logged at t.
func (w *world) mark(action string, t time.Time) {
	if w.lastAt == nil {
		w.lastAt = map[string]time.Time{}
	}
	w.lastAt[action] = t
}

const day = 24 * time.Hour

func id(prefix string, n int) string { return prefix + strconv.Itoa(n) }

// personName gives user number n a unique first/last pair (unique for the
// first len(first)*len(last) users; later ones get a numeric suffix).
func personName(n, off int) (first, last, suffix string) {
	total := len(firstNames) * len(lastNames)
	p := (off + n*643) % total // 643 is coprime to 40*41: a permutation
	first, last = firstNames[p%len(firstNames)], lastNames[(p/len(firstNames))%len(lastNames)]
	if n >= total {
		suffix = strconv.Itoa(n / total)
	}
	return first, last, suffix
}

// newUser makes (but does not log) a user with their habits: usual IPs from
// the documentation ranges, usual browser, MFA, notification channels.
func (g *gen) newUser(role string) *user {
	w := g.w
	w.nUser++
	n := w.nUser
	first, last, suffix := personName(n, w.nameOff)
	u := &user{entity: entity{typ: "USER", id: id("usr_", n)}, num: n}
	u.st = userState{
		Name:     first + " " + last,
		Email:    strings.ToLower(first+"."+last) + suffix + "@" + tenantDomain,
		Role:     role,
		MFA:      role == roleOwner || role == roleAdmin || g.chance(0.55),
		Phone:    "+49 15" + strconv.Itoa(1+g.rng.IntN(9)) + " " + strconv.Itoa(1000000+g.rng.IntN(9000000)),
		Language: pickStr(g, []string{"en", "en", "de"}),
		Timezone: tenantZone,
		Notify:   []string{"EMAIL", "PUSH"},
	}
	if role == roleResponder || role == roleAdmin {
		u.st.Notify = append(u.st.Notify, "SMS")
		if g.chance(0.5) {
			u.st.Notify = append(u.st.Notify, "VOICE")
		}
	}
	office := "198.51.100." + strconv.Itoa(10+g.rng.IntN(3)) // shared office NAT
	home := "203.0.113." + strconv.Itoa(10+n%240)
	vpn := "192.0.2." + strconv.Itoa(10+n%180)
	switch r := g.rng.Float64(); {
	case r < 0.45:
		u.ips = []string{office, home}
	case r < 0.75:
		u.ips = []string{office}
	case r < 0.9:
		u.ips = []string{home}
	default:
		u.ips = []string{vpn, home}
	}
	u.ua = browserAgents[g.rng.IntN(len(browserAgents))]
	return u
}

func (w *world) user(id string) *user {
	for _, u := range w.users {
		if u.id == id {
			return u
		}
	}
	return nil
}

func (w *world) policy(id string) *policy {
	for _, p := range w.policies {
		if p.id == id {
			return p
		}
	}
	return nil
}

func (w *world) schedule(id string) *schedule {
	for _, s := range w.schedules {
		if s.id == id {
			return s
		}
	}
	return nil
}

func (w *world) key(purpose string) *apiKey {
	for _, k := range w.keys {
		if k.purpose == purpose {
			return k
		}
	}
	return nil
}

// referenced reports whether a team, schedule or escalation policy names u:
// such users are not deleted (the product would refuse, too).
func (w *world) referenced(u *user) bool {
	for _, t := range w.teams {
		if slices.Contains(t.st.Members, u.id) {
			return true
		}
	}
	for _, s := range w.schedules {
		for _, l := range s.st.Layers {
			if slices.Contains(l.Users, u.id) {
				return true
			}
		}
	}
	for _, p := range w.policies {
		for _, r := range p.st.Rules {
			if slices.Contains(r.Users, u.id) {
				return true
			}
		}
	}
	return false
}

// onCall is who a schedule pages at t: its first layer rotates daily or
// weekly at 09:00 local time.
func (s *schedule) onCall(t time.Time) string {
	if len(s.st.Layers) == 0 || len(s.st.Layers[0].Users) == 0 {
		return ""
	}
	l := s.st.Layers[0]
	period := 7 * 24 * time.Hour
	if l.Rotation == "DAILY" {
		period = 24 * time.Hour
	}
	idx := int(t.Add(localOffset-9*time.Hour).Unix() / int64(period/time.Second))
	return l.Users[idx%len(l.Users)]
}

// remove deletes x from xs, keeping the order.
func remove[T comparable](xs []T, x T) []T {
	if i := slices.Index(xs, x); i >= 0 {
		return slices.Delete(xs, i, i+1)
	}
	return xs
}

func isAdmin(u *user) bool     { return u.st.Role == roleOwner || u.st.Role == roleAdmin }
func isResponder(u *user) bool { return u.st.Role == roleResponder }
func anyUser(*user) bool       { return true }
