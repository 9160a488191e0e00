package demo

import (
	"math"
	"strings"
)

// Steering the mix. How many records an activity ends up producing depends
// on the density of the trail (a sparse trail needs a login before almost
// every action, a dense one reuses sessions), so fixed weights would give a
// different mix for 20,000 and for 1,000,000 records. Instead the generator
// counts what it has written by category and scales the weights of new
// activities by target/actual share, which keeps the whole trail near:
// alerts ~60%, logins ~15% (a few percent of them failed), configuration
// ~15%, user management and integrations ~10%.

const (
	catAlert = iota
	catLogin
	catLoginFailed
	catConfig
	catOther
	nCats
)

var targetShare = [nCats]float64{catAlert: 0.60, catLogin: 0.145, catLoginFailed: 0.005, catConfig: 0.15, catOther: 0.10}

// actCat is the category of each new activity.
var actCat = [nActs]int{
	actAlert: catAlert, actLogin: catLogin, actLoginFailed: catLoginFailed, actLogout: catOther,
	actConfig: catConfig, actPeople: catOther, actIntegration: catOther, actForbidden: catOther,
}

// mixer tracks recent shares per category (exponentially weighted over
// about the last 4,000 records) and the current adjustment.
type mixer struct {
	share [nCats]float64
	total int
	adj   [nCats]float64 // multiplies the weights of the category
}

const mixWindow = 4096

// note counts one written record. Every 64 records each category's
// adjustment is nudged by (target/share)^(1/4): it keeps growing while the
// category stays below its target and shrinking while above (an integral
// controller on a recent window, which avoids long swings), within bounds.
func (m *mixer) note(action string) {
	c := category(action)
	m.total++
	if m.total == 1 {
		m.share = targetShare
		for i := range m.adj {
			m.adj[i] = 1
		}
	}
	for i := range m.share {
		m.share[i] *= 1 - 1.0/mixWindow
	}
	m.share[c] += 1.0 / mixWindow
	if m.total%64 != 0 {
		return
	}
	for i := range m.adj {
		f := math.Sqrt(math.Sqrt(targetShare[i] / max(m.share[i], 1e-4)))
		m.adj[i] = min(max(m.adj[i]*f, 0.01), 100)
	}
}

// weights fills ws with base scaled by the adjustment.
func (m *mixer) weights(base *[nActs]float64, ws *[nActs]float64) {
	for a := range ws {
		ws[a] = base[a]
		if m.adj[actCat[a]] > 0 {
			ws[a] *= m.adj[actCat[a]]
		}
	}
}

func category(action string) int {
	switch {
	case strings.HasPrefix(action, "alert."):
		return catAlert
	case action == "user.login":
		return catLogin
	case action == "user.login_failed":
		return catLoginFailed
	case strings.HasPrefix(action, "user.") || strings.HasPrefix(action, "team.") ||
		strings.HasPrefix(action, "webhook.") || strings.HasPrefix(action, "api_key."):
		return catOther
	default:
		return catConfig
	}
}
