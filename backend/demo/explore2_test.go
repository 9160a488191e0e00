package demo_test

import (
	"fmt"
	"testing"
	"time"

	"auditlens/backend/demo"
)

func TestSeedsEpisode(t *testing.T) {
	for seed := uint64(100); seed < 140; seed++ {
		for _, o := range []demo.Options{{Events: 200, Seed: seed}, {Events: 201, Seed: seed, Days: 1}, {Events: 400, Seed: seed, Days: 3, End: time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)}, {Events: 25000, Seed: seed, Days: 365}} {
			recs := parse(t, generate(t, o), false)
			n := 0
			for _, r := range recs {
				if r.Action == "user.login" && len(r.Client.IP) > 12 && r.Client.IP[:12] == "185.220.101." {
					n++
					if h := r.t.Add(time.Hour).Hour(); h < 2 || h > 4 {
						fmt.Println("not night", o, r.t)
					}
				}
			}
			if n == 0 {
				t.Errorf("%+v: no episode", o)
			}
		}
	}
}

func TestSeedsMix(t *testing.T) {
	for _, n := range []int{30000, 50000, 60000} {
		for seed := uint64(1); seed < 4; seed++ {
			recs := parse(t, generate(t, demo.Options{Events: n, Seed: seed}), false)
			share := map[string]float64{}
			a := map[string]int{}
			for _, r := range recs {
				share[category(r.Action)] += 1 / float64(len(recs))
				a[r.Action]++
			}
			fmt.Printf("%d %d %.3v failed=%.3f\n", n, seed, share, float64(a["user.login_failed"])/float64(a["user.login"]))
		}
	}
}
