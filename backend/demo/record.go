package demo

import (
	"encoding/json"
	"strconv"
	"time"
)

// One raw vendor record and its hand-written NDJSON encoding. The envelope
// keys are written in a fixed order; "before"/"after" are the entities'
// pre-encoded state snapshots.

// actor is who did it and from where (client and session travel with the
// actor: they are what the platform saw of that caller).
type actor struct {
	id, typ, name, email string
	ip, ua, session      string
}

// systemActor is the platform itself: alert creation, escalation,
// auto-resolution. It has no client and no session.
var systemActor = actor{id: "system", typ: "SYSTEM", name: "ilert"}

type record struct {
	t                       time.Time
	actor                   actor
	action                  string
	resType, resID, resName string
	reason                  string // non-empty: result FAILURE with this reason
	before, after           []byte // nil encodes as null
}

const hexDigits = "0123456789abcdef"

// appendHex writes the low 4*n bits of v as n lowercase hex digits.
func appendHex(dst []byte, v uint64, n int) []byte {
	for i := n - 1; i >= 0; i-- {
		dst = append(dst, hexDigits[(v>>(4*uint(i)))&15])
	}
	return dst
}

// mixBits is a bijection on the low `bits` bits (odd multiplications and
// xor-shifts): distinct counters give distinct, random-looking ids.
func mixBits(x uint64, bits uint) uint64 {
	mask := uint64(1)<<bits - 1
	x &= mask
	x = (x * 0x9e3779b97f4a7c15) & mask
	x ^= x >> (bits / 2)
	x = (x * 0xbf58476d1ce4e5b9) & mask
	x ^= x >> (bits/2 + 1)
	x = (x * 0x94d049bb133111eb) & mask
	x ^= x >> (bits / 3)
	return x
}

// appendStr writes s as a JSON string, escaped as encoding/json does it
// (including <, > and &) for the ASCII text the generator produces.
func appendStr(dst []byte, s string) []byte {
	dst = append(dst, '"')
	clean := true
	for i := 0; i < len(s) && clean; i++ {
		clean = !needsEscape[s[i]]
	}
	if clean { // the usual case
		dst = append(dst, s...)
		return append(dst, '"')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case !needsEscape[c]:
			dst = append(dst, c)
		case c == '"' || c == '\\':
			dst = append(dst, '\\', c)
		case c == '\n':
			dst = append(dst, '\\', 'n')
		case c == '\r':
			dst = append(dst, '\\', 'r')
		case c == '\t':
			dst = append(dst, '\\', 't')
		case c == '\b':
			dst = append(dst, '\\', 'b')
		case c == '\f':
			dst = append(dst, '\\', 'f')
		default:
			dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return append(dst, '"')
}

// needsEscape marks the bytes appendStr does not copy as they are.
var needsEscape = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	t['"'], t['\\'], t['<'], t['>'], t['&'] = true, true, true, true, true
	return t
}()

func appendRaw(dst, raw []byte) []byte {
	if raw == nil {
		return append(dst, "null"...)
	}
	return append(dst, raw...)
}

// appendRecord encodes r as one NDJSON line; n is its 1-based position,
// from which the unique event and request ids are derived.
func (g *gen) appendRecord(b []byte, r *record, n uint64) []byte {
	b = append(b, `{"id":"evt_`...)
	b = appendHex(b, mixBits(n+g.idKey, 64), 16)
	b = append(b, `","timestamp":"`...)
	b = r.t.UTC().AppendFormat(b, "2006-01-02T15:04:05.000Z")
	b = append(b, `","tenant":"acme-oncall","actor":{"id":`...)
	b = appendStr(b, r.actor.id)
	b = append(b, `,"type":`...)
	b = appendStr(b, r.actor.typ)
	b = append(b, `,"name":`...)
	b = appendStr(b, r.actor.name)
	b = append(b, `,"email":`...)
	b = appendStr(b, r.actor.email)
	b = append(b, `},"action":`...)
	b = appendStr(b, r.action)
	b = append(b, `,"resource":{"type":`...)
	b = appendStr(b, r.resType)
	b = append(b, `,"id":`...)
	b = appendStr(b, r.resID)
	b = append(b, `,"name":`...)
	b = appendStr(b, r.resName)
	if r.reason == "" {
		b = append(b, `},"result":"SUCCESS"`...)
	} else {
		b = append(b, `},"result":"FAILURE","reason":`...)
		b = appendStr(b, r.reason)
	}
	b = append(b, `,"client":{"ip":`...)
	b = appendStr(b, r.actor.ip)
	b = append(b, `,"userAgent":`...)
	b = appendStr(b, r.actor.ua)
	b = append(b, `},"sessionId":`...)
	b = appendStr(b, r.actor.session)
	b = append(b, `,"requestId":"req_`...)
	b = appendHex(b, mixBits(n+g.reqKey, 40), 10)
	b = append(b, `","before":`...)
	b = appendRaw(b, r.before)
	b = append(b, `,"after":`...)
	b = appendRaw(b, r.after)
	return append(b, "}\n"...)
}

// emit writes one record through the sink.
func (g *gen) emit(r *record) {
	if g.err != nil {
		return
	}
	g.count++
	if g.counting {
		g.mix.note(r.action)
	}
	g.buf = g.appendRecord(g.buf[:0], r, uint64(g.count))
	g.err = g.sink(r.t, g.buf)
}

// encode returns the JSON of a state. Alerts, the bulk of all changes, are
// written by hand (same bytes as encoding/json, which would escape <, > and &
// — absent from alert texts); everything else goes through encoding/json.
func (g *gen) encode(st any) []byte {
	if a, ok := st.(*alertState); ok {
		return appendAlert(make([]byte, 0, 256), a)
	}
	b, err := json.Marshal(st)
	if err != nil && g.err == nil {
		g.err = err
	}
	return b
}

// created logs the creation of e with state st (before null).
func (g *gen) created(t time.Time, a actor, action string, e *entity, name string, st any) {
	e.snap = g.encode(st)
	if e.typ != "ALERT" {
		g.w.mark(action, t)
	}
	g.emit(&record{t: t, actor: a, action: action, resType: e.typ, resID: e.id, resName: name, after: e.snap})
}

// updated logs a change of e: before is the last logged state, after is st
// (already changed by the caller).
func (g *gen) updated(t time.Time, a actor, action string, e *entity, name string, st any) {
	before := e.snap
	e.snap = g.encode(st)
	g.emit(&record{t: t, actor: a, action: action, resType: e.typ, resID: e.id, resName: name, before: before, after: e.snap})
}

// deleted logs the removal of e (after null).
func (g *gen) deleted(t time.Time, a actor, action string, e *entity, name string) {
	g.w.mark(action, t)
	g.emit(&record{t: t, actor: a, action: action, resType: e.typ, resID: e.id, resName: name, before: e.snap})
}

// denied logs a refused attempt: FAILURE, nothing changed, no states.
func (g *gen) denied(t time.Time, a actor, action string, e *entity, name, reason string) {
	g.emit(&record{t: t, actor: a, action: action, resType: e.typ, resID: e.id, resName: name, reason: reason})
}

func appendAlert(b []byte, a *alertState) []byte {
	b = append(b, `{"summary":`...)
	b = appendStr(b, a.Summary)
	b = append(b, `,"priority":`...)
	b = appendStr(b, a.Priority)
	b = append(b, `,"status":`...)
	b = appendStr(b, a.Status)
	b = append(b, `,"alertSource":`...)
	b = appendStr(b, a.AlertSource)
	b = append(b, `,"escalationPolicy":`...)
	b = appendStr(b, a.EscalationPolicy)
	b = append(b, `,"escalationLevel":`...)
	b = strconv.AppendInt(b, int64(a.EscalationLevel), 10)
	b = append(b, `,"assignedTo":`...)
	b = appendStr(b, a.AssignedTo)
	b = append(b, `,"comments":`...)
	b = strconv.AppendInt(b, int64(a.Comments), 10)
	b = append(b, `,"lastComment":`...)
	b = appendStr(b, a.LastComment)
	return append(b, '}')
}
