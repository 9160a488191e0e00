package demo

import (
	"slices"
	"strconv"
	"time"
)

// Integrations: API keys and outgoing webhooks, managed by administrators.
// Legitimate webhooks always point inside acme.io; only a suspicious episode
// points one elsewhere.

func (g *gen) integrationChange(t time.Time) {
	ops := []func(time.Time, actor){g.createKey, g.revokeKey, g.createWebhook, g.updateWebhook, g.deleteWebhook}
	op := ops[g.choose([]float64{25, 20, 15, 30, 10})]
	g.asAdmin(t, op)
}

func (g *gen) createKey(t time.Time, a actor) {
	if g.w.recent("api_key.created", t, 2*day) {
		return
	}
	w := g.w
	others := 0
	for _, k := range w.keys {
		if k.purpose == keyOther {
			others++
		}
	}
	if others >= maxOtherKeys {
		return
	}
	x := extraKeys[w.nKey%len(extraKeys)]
	w.nKey++
	k := &apiKey{entity: entity{typ: "API_KEY", id: id("key_", w.nKey)}, purpose: keyOther,
		ip: "192.0.2." + strconv.Itoa(210+w.nKey%40), ua: "Go-http-client/2.0"}
	k.st = apiKeyState{Label: x.label, Scopes: slices.Clone(x.scopes), ExpiresAt: expiry(t), CreatedBy: a.id}
	w.keys = append(w.keys, k)
	g.created(t, a, "api_key.created", &k.entity, k.st.Label, &k.st)
}

// revokeKey revokes a key that is not used by a running integration.
func (g *gen) revokeKey(t time.Time, a actor) {
	if g.w.recent("api_key.revoked", t, 3*day) {
		return
	}
	w := g.w
	var cands []*apiKey
	for _, k := range w.keys {
		if k.purpose == keyOther {
			cands = append(cands, k)
		}
	}
	k := pickOf(g, cands)
	if k == nil {
		return
	}
	w.keys = remove(w.keys, k)
	g.deleted(t, a, "api_key.revoked", &k.entity, k.st.Label)
}

func (g *gen) createWebhook(t time.Time, a actor) {
	if g.w.recent("webhook.created", t, 5*day) {
		return
	}
	w := g.w
	if len(w.webhooks) >= maxWebhooks {
		return
	}
	k := w.nWebhook - len(webhookSeeds)
	x := extraWebhooks[k%len(extraWebhooks)]
	w.nWebhook++
	h := &webhook{entity: entity{typ: "WEBHOOK", id: id("wh_", w.nWebhook)}}
	h.st = webhookState{Name: x.name, URL: x.url, Events: []string{"alert.created", "alert.resolved"}, Enabled: true, SecretSet: g.chance(0.8)}
	if k >= len(extraWebhooks) {
		n := strconv.Itoa(k/len(extraWebhooks) + 1)
		h.st.Name += " " + n
		h.st.URL += "-" + n
	}
	w.webhooks = append(w.webhooks, h)
	g.created(t, a, "webhook.created", &h.entity, h.st.Name, &h.st)
}

// updateWebhook: toggled, re-subscribed, secret rotated, or moved to
// another internal endpoint.
func (g *gen) updateWebhook(t time.Time, a actor) {
	h := pickOf(g, g.w.webhooks)
	if h == nil {
		return
	}
	switch g.rng.IntN(4) {
	case 0:
		h.st.Enabled = !h.st.Enabled
	case 1:
		ev := pickStr(g, webhookEvents)
		if i := slices.Index(h.st.Events, ev); i >= 0 && len(h.st.Events) > 1 {
			h.st.Events = slices.Delete(h.st.Events, i, i+1)
		} else if i < 0 {
			h.st.Events = append(h.st.Events, ev)
		}
	case 2:
		h.st.SecretSet = true
	case 3:
		h.st.URL = "https://hooks." + tenantDomain + "/v" + strconv.Itoa(2+g.rng.IntN(3)) + "/ilert/" + h.id
	}
	g.updated(t, a, "webhook.updated", &h.entity, h.st.Name, &h.st)
}

func (g *gen) deleteWebhook(t time.Time, a actor) {
	if g.w.recent("webhook.deleted", t, 7*day) {
		return
	}
	w := g.w
	if len(w.webhooks) <= minWebhooks {
		return
	}
	h := pickOf(g, w.webhooks)
	w.webhooks = remove(w.webhooks, h)
	g.deleted(t, a, "webhook.deleted", &h.entity, h.st.Name)
}
