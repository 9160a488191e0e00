package service

import (
	"os"
	"runtime/debug"
	"sync"
)

// During an import or a rebuild of the index the collector runs less often:
// Go's heap may grow to five times what is live (GOGC 400) but no further
// than indexHeapLimit. Bleve allocates ~80 KB for each event it indexes,
// and collecting it was a fifth of an import's CPU at Go's defaults.
// History: GOGC 200 under 280 MiB, then 240 MiB when a 1M import's resident
// peak was 525–574 MiB (the limit does not count SQLite's memory or the
// index's mapped pages). The rest of the import has since grown smaller
// (peak 346–373 MiB under 240), so the limit went up again: 1M `auditlens
// import` of the benchmark's NDJSON, alternated, user CPU 130.3, 145.1,
// 134.2, 129.5 s at GOGC 200 under 240 MiB; 122.3, 120.8 at GOGC 400 under
// 320 MiB (peak 438–446 MiB); 113.7, 135.3, 119.9, 120.9 under 400 MiB
// (peak 509–544 MiB, too near #6's 600 MB). A GOGC or GOMEMLIMIT the user
// set is left as it is.
const (
	indexGCPercent = 400
	indexHeapLimit = 320 << 20
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
