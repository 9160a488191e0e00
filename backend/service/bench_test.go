package service

import (
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"auditlens/backend/demo"
)

// BenchmarkImportDemo imports a demo trail (AUDITLENS_BENCH_EVENTS, default
// 20,000) into a fresh case: mapping, SQLite and Bleve together.
func BenchmarkImportDemo(b *testing.B) {
	n := 20000
	if v, err := strconv.Atoi(os.Getenv("AUDITLENS_BENCH_EVENTS")); err == nil {
		n = v
	}
	dir := b.TempDir()
	zip := filepath.Join(dir, "demo.zip")
	if err := demo.WriteZip(demo.Options{Events: n, Seed: 1}, zip); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c, err := Open(filepath.Join(dir, "case"+strconv.Itoa(i)))
		if err != nil {
			b.Fatal(err)
		}
		sum, err := c.Import([]string{zip}, ImportOptions{})
		if err != nil || sum.Events != n {
			b.Fatal(err, sum.Events)
		}
		c.Close()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "events/s")
	b.ReportMetric(float64(dirSize(filepath.Join(dir, "case0", "index")))/(1<<20), "MiB-index")
	b.ReportMetric(float64(dirSize(filepath.Join(dir, "case0", "case.db")))/(1<<20), "MiB-db")
}

// dirSize is the bytes of the files under path.
func dirSize(path string) int64 {
	var n int64
	filepath.WalkDir(path, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}
