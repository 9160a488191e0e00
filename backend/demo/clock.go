package demo

import (
	"math"
	"math/rand/v2"
	"time"
)

// The daily rhythm. The tenant lives in Europe/Berlin, approximated by a
// fixed +01:00 offset (CET all year): simple, deterministic, no tzdata.
const localOffset = time.Hour

// localClock returns weekday and hour of t on the tenant's wall clock.
func localClock(t time.Time) (time.Weekday, int) {
	l := t.Add(localOffset)
	return l.Weekday(), l.Hour()
}

// workTime: Monday to Friday, 08:00-18:59 local.
func workTime(t time.Time) bool {
	wd, h := localClock(t)
	return wd != time.Saturday && wd != time.Sunday && h >= 8 && h < 19
}

// Relative activity per local hour on weekdays; weekends are much quieter.
var weekdayCurve = [24]float64{
	0.6, 0.5, 0.5, 0.5, 0.5, 0.6, 1.2, 3, // 00-07
	7, 10, 10, 10, 8, 10, 10, 10, 10, 8, 6, // 08-18
	4, 2.5, 2.5, 1.5, 1, // 19-23
}

func hourWeight(wd time.Weekday, h int) float64 {
	if wd == time.Saturday || wd == time.Sunday {
		switch {
		case h < 7:
			return 0.4
		case h < 10:
			return 0.8
		case h < 19:
			return 1.6
		default:
			return 0.8
		}
	}
	return weekdayCurve[h]
}

// clock yields n sorted timestamps in [start, end), spread with the density
// of hourWeight: the order statistics of n points drawn from that density,
// generated in ascending order one at a time (the minimum of m uniforms on
// [x,1) is x+(1-x)(1-V^(1/m))), then mapped through the cumulative weight.
// Memory is one float per hour of the span.
type clock struct {
	rng   *rand.Rand
	start time.Time // ms-aligned
	first time.Time // start truncated to the hour
	end   time.Time
	cum   []float64 // cum[i]: weight of the segments before segment i
	seg   int       // current segment
	x     float64   // last uniform order statistic
	left  int       // timestamps still to draw
	last  time.Time
	next  time.Time // peeked, valid when peeked
	have  bool
}

func newClock(rng *rand.Rand, start, end time.Time, n int) *clock {
	c := &clock{rng: rng, start: start, first: start.Truncate(time.Hour), end: end, left: n, last: start}
	c.cum = append(c.cum, 0)
	for i := 0; ; i++ {
		lo, hi := c.bound(i), c.bound(i+1)
		if !lo.Before(end) {
			break
		}
		wd, h := localClock(lo)
		c.cum = append(c.cum, c.cum[i]+hourWeight(wd, h)*hi.Sub(lo).Hours())
	}
	return c
}

// bound is where segment i starts: segments are the UTC hours of the span,
// the first and last ones cut to [start, end).
func (c *clock) bound(i int) time.Time {
	if i == 0 {
		return c.start
	}
	b := c.first.Add(time.Duration(i) * time.Hour)
	if b.After(c.end) {
		return c.end
	}
	return b
}

// peek returns the next timestamp without consuming it; ok is false once n
// timestamps have been drawn.
func (c *clock) peek() (t time.Time, ok bool) {
	if c.have {
		return c.next, true
	}
	if c.left == 0 || len(c.cum) < 2 {
		return time.Time{}, false
	}
	v := 1 - c.rng.Float64() // (0, 1]
	c.x += (1 - c.x) * -math.Expm1(math.Log(v)/float64(c.left))
	c.left--
	if c.x >= 1 {
		c.x = math.Nextafter(1, 0)
	}
	total := c.cum[len(c.cum)-1]
	p := c.x * total
	for c.seg < len(c.cum)-2 && c.cum[c.seg+1] <= p {
		c.seg++
	}
	lo, hi := c.bound(c.seg), c.bound(c.seg+1)
	frac := (p - c.cum[c.seg]) / (c.cum[c.seg+1] - c.cum[c.seg])
	frac = min(max(frac, 0), math.Nextafter(1, 0))
	t = lo.Add(time.Duration(frac * float64(hi.Sub(lo)))).Truncate(time.Millisecond)
	if !t.Before(c.end) {
		t = c.end.Add(-time.Millisecond)
	}
	if t.Before(c.last) {
		t = c.last
	}
	c.last, c.next, c.have = t, t, true
	return t, true
}

// take consumes the peeked timestamp.
func (c *clock) take() time.Time {
	t, _ := c.peek()
	c.have = false
	return t
}
