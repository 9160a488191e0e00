package demo

import (
	"container/heap"
	"fmt"
	"math/rand/v2"
	"time"
)

// The generator. Time is a stream of slots (clock.go); every slot is filled
// with exactly one record: a due follow-up of earlier activity (an alert
// being acknowledged, the action a user logged in for), or else a new
// activity drawn from a mix that depends on the hour. The opening setup and
// the suspicious episodes have their own planned timestamps and are merged
// into that stream.

// PCG stream constants (the second PCG word): one stream for content, one
// for timing, so the plan does not depend on what the content consumed.
const (
	streamContent = 0x61756469746c656e // "auditlen"
	streamTiming  = 0x636c6f636b5f7631 // "clock_v1"
)

type gen struct {
	opts  Options
	rng   *rand.Rand // content
	trng  *rand.Rand // timing
	w     *world
	sink  func(time.Time, []byte) error
	err   error
	buf   []byte
	count int

	idKey, reqKey, sesKey uint64
	nSession              uint64

	tasks   taskHeap
	taskSeq uint64

	mix      mixer
	counting bool // the mixer counts from the end of the setup on
}

// task is a follow-up due at a time; ties run in scheduling order.
type task struct {
	due time.Time
	seq uint64
	run func(time.Time)
}

type taskHeap []task

func (h taskHeap) Len() int { return len(h) }
func (h taskHeap) Less(i, j int) bool {
	if !h[i].due.Equal(h[j].due) {
		return h[i].due.Before(h[j].due)
	}
	return h[i].seq < h[j].seq
}
func (h taskHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *taskHeap) Push(x any)   { *h = append(*h, x.(task)) }
func (h *taskHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	old[len(old)-1] = task{}
	*h = old[:len(old)-1]
	return x
}

// later schedules fn to fill the first slot at or after due.
func (g *gen) later(due time.Time, fn func(time.Time)) {
	g.taskSeq++
	heap.Push(&g.tasks, task{due: due, seq: g.taskSeq, run: fn})
}

func newGen(o Options, sink func(time.Time, []byte) error) *gen {
	seedMix := mixBits(o.Seed, 64)
	g := &gen{
		opts:   o,
		rng:    rand.New(rand.NewPCG(o.Seed, streamContent)),
		trng:   rand.New(rand.NewPCG(o.Seed, streamTiming)),
		w:      &world{},
		sink:   sink,
		buf:    make([]byte, 0, 4096),
		idKey:  seedMix,
		reqKey: mixBits(seedMix^0x5eed, 64),
		sesKey: mixBits(seedMix^0x5e55, 64),
	}
	g.w.nameOff = g.rng.IntN(len(firstNames) * len(lastNames))
	return g
}

// run writes exactly opts.Events records.
func (g *gen) run() error {
	o := g.opts
	end := o.End
	start := end.Add(-time.Duration(o.Days) * 24 * time.Hour)
	if s := start.Truncate(time.Millisecond); s.Before(start) {
		start = s.Add(time.Millisecond)
	}

	// 1. The opening setup, in a burst at the start.
	steps := g.setupSteps()
	times := setupTimes(g.trng, start, end, len(steps))
	for i, step := range steps {
		if g.count >= o.Events || g.err != nil {
			return g.err
		}
		step(times[i])
	}
	lo := times[len(times)-1].Add(time.Second)
	g.counting = true

	// 2. Normal slots merged with the episodes' planned records.
	eps := planEpisodes(g.trng, o.Events, lo, start.Add(end.Sub(start)*2/3), end)
	planned := 0
	for _, e := range eps {
		planned += len(e.at)
	}
	clk := newClock(g.trng, lo, end, o.Events-g.count-planned)
	ei, si := 0, 0
	for g.count < o.Events && g.err == nil {
		before := g.count
		nt, ok := clk.peek()
		switch {
		case ei < len(eps) && (!ok || eps[ei].at[si].Before(nt)):
			g.episodeStep(eps[ei], si, eps[ei].at[si])
			if si++; si == len(eps[ei].at) {
				ei, si = ei+1, 0
			}
		case ok:
			g.fillSlot(clk.take())
		default:
			return fmt.Errorf("demo: internal error: ran out of slots at %d of %d records", g.count, o.Events)
		}
		if g.err == nil && g.count != before+1 {
			return fmt.Errorf("demo: internal error: a slot produced %d records", g.count-before)
		}
	}
	return g.err
}

// fillSlot writes exactly one record at t: a due follow-up if there is one,
// else a new activity. Follow-ups and activities that find nothing to do
// write nothing, and the next candidate is tried.
func (g *gen) fillSlot(t time.Time) {
	before := g.count
	for try := 0; try < 100 && g.count == before && g.err == nil; try++ {
		if len(g.tasks) > 0 && !g.tasks[0].due.After(t) {
			heap.Pop(&g.tasks).(task).run(t)
			continue
		}
		g.activity(t)
	}
	if g.count == before && g.err == nil {
		g.login(g.w.owner, t) // a fallback no realistic mix reaches
	}
}

// New activities and their weights, by time of day.
const (
	actAlert = iota
	actLogin
	actLoginFailed
	actLogout
	actConfig
	actPeople
	actIntegration
	actForbidden
	nActs
)

var (
	dayMix   = [nActs]float64{actAlert: 20, actLogin: 6, actLoginFailed: 0.3, actLogout: 2.5, actConfig: 10, actPeople: 3.5, actIntegration: 3, actForbidden: 0.15}
	nightMix = [nActs]float64{actAlert: 40, actLogin: 3, actLoginFailed: 0.2, actLogout: 1, actConfig: 1, actPeople: 0.3, actIntegration: 0.15, actForbidden: 0.02}
)

// activity starts something new: drawn from the mix of the hour, steered
// towards the target shares (mix.go).
func (g *gen) activity(t time.Time) {
	base := &nightMix
	if workTime(t) {
		base = &dayMix
	}
	var ws [nActs]float64
	g.mix.weights(base, &ws)
	switch g.choose(ws[:]) {
	case actAlert:
		g.newAlert(t)
	case actLogin:
		g.explicitLogin(t)
	case actLoginFailed:
		g.failedLogin(t)
	case actLogout:
		g.logout(t)
	case actConfig:
		g.configChange(t)
	case actPeople:
		g.peopleChange(t)
	case actIntegration:
		g.integrationChange(t)
	case actForbidden:
		g.forbiddenAttempt(t)
	}
}

// Random helpers, all on the content stream.

func (g *gen) chance(p float64) bool { return g.rng.Float64() < p }

// between draws a duration uniformly in [lo, hi].
func (g *gen) between(lo, hi time.Duration) time.Duration {
	return lo + time.Duration(g.rng.Int64N(int64(hi-lo)+1))
}

// choose draws an index with probability proportional to its weight.
func (g *gen) choose(ws []float64) int {
	total := 0.0
	for _, w := range ws {
		total += w
	}
	r := g.rng.Float64() * total
	for i, w := range ws {
		if r < w {
			return i
		}
		r -= w
	}
	return len(ws) - 1
}

func pickOf[T any](g *gen, xs []*T) *T {
	if len(xs) == 0 {
		return nil
	}
	return xs[g.rng.IntN(len(xs))]
}

func pickStr(g *gen, xs []string) string { return xs[g.rng.IntN(len(xs))] }

// pickUser draws uniformly among the live users that satisfy ok (nil if
// none): count, draw, walk, so one random number per pick.
func (g *gen) pickUser(ok func(*user) bool) *user {
	n := 0
	for _, u := range g.w.users {
		if ok(u) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	k := g.rng.IntN(n)
	for _, u := range g.w.users {
		if ok(u) {
			if k == 0 {
				return u
			}
			k--
		}
	}
	return nil
}
