package demo

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"sort"
	"strings"
	"testing"
	"time"
)

type counter struct {
	cnt   map[string]int
	lines int
	part  []byte
}

func (c *counter) Write(p []byte) (int, error) {
	c.part = append(c.part, p...)
	for {
		i := bytes.IndexByte(c.part, '\n')
		if i < 0 {
			break
		}
		line := c.part[:i]
		j := bytes.Index(line, []byte(`"action":"`))
		k := bytes.IndexByte(line[j+10:], '"')
		c.cnt[string(line[j+10:j+10+k])]++
		c.lines++
		c.part = c.part[i+1:]
	}
	c.part = append([]byte(nil), c.part...)
	return len(p), nil
}

var _ = bufio.NewReader
var _ io.Writer = (*counter)(nil)

func TestExplore(t *testing.T) {
	for _, n := range []int{2000, 20000, 200000, 1000000} {
		c := &counter{cnt: map[string]int{}}
		st := time.Now()
		if err := Generate(Options{Events: n, Seed: 7}, c); err != nil {
			t.Fatal(err)
		}
		el := time.Since(st)
		cat := map[string]int{}
		for a, v := range c.cnt {
			switch {
			case strings.HasPrefix(a, "alert."):
				cat["alert"] += v
			case a == "user.login" || a == "user.login_failed":
				cat["login"] += v
			case strings.HasPrefix(a, "user.") || strings.HasPrefix(a, "team."):
				cat["people"] += v
			case strings.HasPrefix(a, "webhook") || strings.HasPrefix(a, "api_key"):
				cat["integr"] += v
			default:
				cat["config"] += v
			}
		}
		var ks []string
		for k := range cat {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		fmt.Printf("N %7d %v:", n, el)
		for _, k := range ks {
			fmt.Printf(" %s=%.1f%%", k, 100*float64(cat[k])/float64(c.lines))
		}
		fmt.Printf(" failed/login=%.1f%% logout=%.1f%%\n", 100*float64(c.cnt["user.login_failed"])/float64(c.cnt["user.login"]), 100*float64(c.cnt["user.logout"])/float64(c.lines))
	}
}

func TestSample(t *testing.T) {
	var buf bytes.Buffer
	Generate(Options{Events: 3000, Seed: 1}, &buf)
	lines := strings.Split(buf.String(), "\n")
	for _, i := range []int{0, 1, 2, 40, 80, 95, 100, 101, 102, 103, 104, 105, 106, 107, 108, 109, 110, 111, 112, 2000} {
		fmt.Println(lines[i])
	}
	for _, l := range lines {
		if strings.Contains(l, "185.220.") {
			fmt.Println(l)
		}
	}
}

func TestProfile(t *testing.T) {
	var buf bytes.Buffer
	n := 300000
	Generate(Options{Events: n, Seed: 3}, &buf)
	lines := strings.Split(strings.TrimSpace(buf.String()), "\n")
	var hours [24]int
	var cfgNight, cfgDay int
	var wk [7]int
	for i, l := range lines {
		ts, _ := time.Parse(time.RFC3339, l[strings.Index(l, `"timestamp":"`)+13:strings.Index(l, `","tenant"`)])
		lt := ts.Add(time.Hour)
		hours[lt.Hour()]++
		wk[lt.Weekday()]++
		a := l[strings.Index(l, `"action":"`)+10:]
		a = a[:strings.IndexByte(a, '"')]
		if category(a) == catConfig {
			if workTime(ts) {
				cfgDay++
			} else {
				cfgNight++
			}
		}
		_ = i
	}
	fmt.Println("hours", hours, "weekdays", wk, "cfg day/night", cfgDay, cfgNight)
	// shares per decile
	for d := 0; d < 10; d++ {
		var c [nCats]int
		seg := lines[d*n/10 : (d+1)*n/10]
		for _, l := range seg {
			a := l[strings.Index(l, `"action":"`)+10:]
			a = a[:strings.IndexByte(a, '"')]
			c[category(a)]++
		}
		fmt.Printf("decile %d:", d)
		for k := range c {
			fmt.Printf(" %.1f", 100*float64(c[k])/float64(len(seg)))
		}
		fmt.Println()
	}
}
