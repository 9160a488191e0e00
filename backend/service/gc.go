package service

import (
	"os"
	"runtime/debug"
	"sync"
)

// During an import or a rebuild of the index the collector runs about half
// as often: Go's heap may grow to three times what is live (GOGC 200) but
// no further than indexHeapLimit. Bleve allocates ~80 KB for each event it
// indexes, and collecting it was a fifth of an import's CPU. Measured with
// the environment variables: 100k demo events 1.11× faster (3 paired runs),
// peak resident memory 342 → 402 MiB; 1M, one run each, 301 → 249 s and
// 473 → 524 MiB (678 collections instead of 1,481). The live heap stays at
// 50–100 MB; the rest of the peak is SQLite's memory and the index's
// mapped pages, which the limit does not count. The limit was 280 MiB; at
// 240 a 1M import's anonymous peak is 272–288 MiB instead of 275–329 (three
// alternated pairs, sampled from /proc), its resident peak 525–545 MiB
// (one run 839, a merge's mapped pages) instead of 555–574 (one 829), for
// 3% more CPU (medians 175 and 170 s, wall 100.5 and 96.8 s). A GOGC or
// GOMEMLIMIT the user set is left as it is.
const (
	indexGCPercent = 200
	indexHeapLimit = 240 << 20
)

var indexGC struct {
	sync.Mutex
	n           int // imports and rebuilds running
	pct         int
	limit       int64
	userSetting bool
}

// fastIndexGC sets the collector for indexing until restore is called;
// calls may overlap, the last restore puts back what was before the first.
func fastIndexGC() (restore func()) {
	indexGC.Lock()
	defer indexGC.Unlock()
	if indexGC.n == 0 {
		indexGC.userSetting = os.Getenv("GOGC") != "" || os.Getenv("GOMEMLIMIT") != ""
		if !indexGC.userSetting {
			indexGC.limit = debug.SetMemoryLimit(-1) // -1 reads it
			debug.SetMemoryLimit(min(indexGC.limit, indexHeapLimit))
			indexGC.pct = debug.SetGCPercent(indexGCPercent)
		}
	}
	indexGC.n++
	var once sync.Once
	return func() {
		once.Do(func() {
			indexGC.Lock()
			defer indexGC.Unlock()
			if indexGC.n--; indexGC.n == 0 && !indexGC.userSetting {
				debug.SetGCPercent(indexGC.pct)
				debug.SetMemoryLimit(indexGC.limit)
			}
		})
	}
}
