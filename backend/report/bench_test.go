package report_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"auditlens/backend/report"
)

// BenchmarkReport writes a report of N synthetic events (generated in
// memory, nothing stored): N is $REPORT_BENCH_EVENTS, a million by default.
// Peak memory is measured outside, on the test binary:
//
//	go test -c -o /tmp/report.test ./backend/report
//	/usr/bin/time -v /tmp/report.test -test.run XXX -test.bench BenchmarkReport -test.benchtime 1x
func BenchmarkReport(b *testing.B) {
	n := 1_000_000
	if s := os.Getenv("REPORT_BENCH_EVENTS"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			b.Fatalf("REPORT_BENCH_EVENTS=%q: %v", s, err)
		}
	}
	file := filepath.Join(b.TempDir(), "bench.xlsx")
	for b.Loop() {
		out, err := os.Create(file)
		if err != nil {
			b.Fatal(err)
		}
		sum, err := report.Write(out, synth(n), nil, report.Options{})
		if err != nil {
			b.Fatal(err)
		}
		if err := out.Close(); err != nil {
			b.Fatal(err)
		}
		if sum.Events != n {
			b.Fatalf("%d events written, want %d", sum.Events, n)
		}
	}
	fi, err := os.Stat(file)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(n), "events")
	b.ReportMetric(float64(fi.Size())/(1<<20), "MiB-xlsx")
}
