package demo

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"
)

// TestBoundedState: the generator's memory does not grow with the number of
// records: pending follow-ups, open alerts and live resources stay capped.
func TestBoundedState(t *testing.T) {
	o, err := Options{Events: 150_000, Seed: 77}.normalized()
	if err != nil {
		t.Fatal(err)
	}
	var g *gen
	peakTasks, peakOpen, peakUsers, peakRes := 0, 0, 0, 0
	g = newGen(o, func(time.Time, []byte) error {
		if g.count%500 == 0 {
			w := g.w
			peakTasks = max(peakTasks, len(g.tasks))
			peakOpen = max(peakOpen, w.openAlerts)
			peakUsers = max(peakUsers, len(w.users))
			peakRes = max(peakRes, len(w.teams)+len(w.schedules)+len(w.policies)+len(w.sources)+len(w.services)+len(w.webhooks)+len(w.keys))
		}
		return nil
	})
	if err := g.run(); err != nil {
		t.Fatal(err)
	}
	t.Logf("max pending %d, open alerts %d, users %d, other resources %d", peakTasks, peakOpen, peakUsers, peakRes)
	if peakTasks > maxOpenAlerts+200 || peakOpen > maxOpenAlerts || peakUsers > maxUsers || peakRes > 100 {
		t.Fatalf("state grew: pending %d, open alerts %d, users %d, resources %d", peakTasks, peakOpen, peakUsers, peakRes)
	}
	if cap(g.buf) > 1<<16 {
		t.Fatalf("line buffer grew to %d bytes", cap(g.buf))
	}
}

// TestAppendAlert: the hand-written alert encoding is encoding/json's.
func TestAppendAlert(t *testing.T) {
	for _, a := range []alertState{
		{},
		{Summary: `HighCPUUsage: db-prod-3 above 90% for 10m "quoted" \ back`, Priority: "HIGH", Status: "ACCEPTED",
			AlertSource: "as_3", EscalationPolicy: "ep_2", EscalationLevel: 2, AssignedTo: "usr_5", Comments: 3, LastComment: "tab\there\n<b>&\x01\b\f\r"},
	} {
		want, err := json.Marshal(&a)
		if err != nil {
			t.Fatal(err)
		}
		if got := appendAlert(nil, &a); !bytes.Equal(got, want) {
			t.Fatalf("got  %s\nwant %s", got, want)
		}
	}
}

// TestClock: the slots are sorted, inside the span, and denser in working
// hours than at night.
func TestClock(t *testing.T) {
	g := newGen(Options{Seed: 1}, nil)
	start := time.Date(2026, 1, 5, 0, 0, 0, 0, time.UTC) // a Monday
	end := start.Add(28 * 24 * time.Hour)
	c := newClock(g.trng, start, end, 50_000)
	var prev time.Time
	day, night := 0, 0
	for range 50_000 {
		ts := c.take()
		if ts.Before(start) || !ts.Before(end) || ts.Before(prev) {
			t.Fatalf("slot %s out of order or range", ts)
		}
		prev = ts
		if _, h := localClock(ts); h >= 9 && h < 17 {
			day++
		} else if h < 6 {
			night++
		}
	}
	if _, ok := c.peek(); ok {
		t.Fatal("clock gave more than n slots")
	}
	if day < 10*night {
		t.Fatalf("day %d vs night %d: no daily rhythm", day, night)
	}
}
