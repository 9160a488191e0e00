// Command bench measures auditlens on a generated trail and writes
// bench/results.md and bench/results.json. It is not a test: nothing fails
// on a slow machine. Run it with scripts/bench [-n N] [-runs R].
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"auditlens/backend/demo"
)

type figure struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit"`
	Target string  `json:"target,omitempty"`
	Note   string  `json:"note,omitempty"`
}

type results struct {
	Command string   `json:"command"`
	Machine string   `json:"machine"`
	Events  int      `json:"events"`
	InputMB float64  `json:"input_mb"`
	Runs    int      `json:"runs"`
	When    string   `json:"when"`
	Figures []figure `json:"figures"`
}

var (
	n      = flag.Int("n", 1000000, "events in the generated trail")
	runs   = flag.Int("runs", 3, "runs of each measured figure (the median is kept)")
	bin    = flag.String("bin", "bin/auditlens", "the auditlens binary")
	out    = flag.String("out", "bench", "where to write results.md and results.json")
	reuse  = flag.String("case", "", "measure this imported case: no trail, import or peers (for trying a change to the queries)")
	report = flag.Bool("report", true, "measure the Excel report")
	peers  = flag.Bool("peers", true, "measure the peers (rg, sqlite3, lnav) on the same trail")
)

// apiSamples: timed requests of each figure of the API (a search query's
// p50 and p95, the median of the others), after a warm one. Three, as the
// runs were, let one collection in the served process move a median by half
// (a timeline of 1M hits: 61.8 ms in one run, 105.8 in the next).
const apiSamples = 20

func main() {
	flag.Parse()
	work, err := os.MkdirTemp("", "auditlens-bench-")
	check(err)
	defer os.RemoveAll(work)
	res := &results{Command: "scripts/bench " + strings.Join(os.Args[1:], " "), Machine: machine(), Events: *n, Runs: *runs,
		When: time.Now().UTC().Format(time.RFC3339)}

	var input, caseDir string
	var wall []float64
	if *reuse == "" {
		input, caseDir, wall = generateAndImport(res, work)
	} else {
		caseDir = *reuse
		res.Command += " (an imported case: no import figures)"
	}

	// serve: cold start to the first page, then the API figures.
	var cold []float64
	var base string
	var srv *exec.Cmd
	for i := 0; i < *runs; i++ {
		if srv != nil {
			srv.Process.Kill()
			srv.Wait()
		}
		var s float64
		srv, base, s = startServe(caseDir)
		cold = append(cold, s)
	}
	defer srv.Process.Kill()
	res.add("cold start: serve launched to first page answered", median(cold), "s", "≤ 1", "")
	// serve reads every event's time and term ids into memory in the
	// background when it opens a case (~1 s at 1M); until then large
	// selections read their rows. The figures below are of a case opened.
	time.Sleep(3 * time.Second)

	queries := []struct{ name, q, from, to string }{
		{"a term on actor", `actor.email:mila.krueger@acme.io`, "", ""},
		{"a free-text word", `payments`, "", ""},
		{"a phrase", `"Payments primary"`, "", ""},
		{"a wildcard", `action:escalation_policy.*`, "", ""},
		{"actor+action+30-day range", `+actor.email:anton.dubois@acme.io +action:user.login`, "2026-09-01T00:00:00Z", "2026-10-01T00:00:00Z"},
		{"outcome:failure", `outcome:failure`, "", ""},
		{"most events", `category:alert`, "", ""},
		{"no events", `action:does.not.exist`, "", ""},
		{"everything", ``, "", ""},
		{"ip term", `ip:185.220.101.*`, "", ""},
		{"excluding one actor", `-actor.label:ilert`, "", ""},
		{"either of two fields", `category:alert outcome:failure`, "", ""},
		{"a word in most events", `acme`, "", ""},
		{"either of two words", `payments failed`, "", ""},
		{"a phrase or a word in most events", `"escalation policy" acme`, "", ""},
	}
	// The target holds for every query, so each gets its own p95: 20 timed
	// requests a query, a warm one first.
	var all []float64
	for _, q := range queries {
		// raw=0: as the event list asks, without the raw records it does not show.
		p := url.Values{"q": {q.q}, "limit": {"100"}, "from": {q.from}, "to": {q.to}, "raw": {"0"}}
		lat := timeGet(base+"/api/search?"+p.Encode(), apiSamples)
		all = append(all, lat...)
		res.add("search p50: "+q.name, pct(lat, 50), "ms", "", q.q)
		res.add("search p95: "+q.name, pct(lat, 95), "ms", "≤ 50", "")
	}
	res.add("search p50 over all queries", pct(all, 50), "ms", "", "newest 100 with the total, as the list asks (raw=0)")
	res.add("search p95 over all queries", pct(all, 95), "ms", "≤ 50", "")
	res.add("facets, whole case", median(timeGet(base+"/api/facets", apiSamples)), "ms", "≤ 50", "")
	res.add("facets, filtered", median(timeGet(base+"/api/facets?q="+url.QueryEscape("outcome:failure"), apiSamples)), "ms", "≤ 100", "")
	res.add("histogram, whole case", median(timeGet(base+"/api/histogram", apiSamples)), "ms", "≤ 50", "")
	res.add("histogram, filtered", median(timeGet(base+"/api/histogram?q="+url.QueryEscape("outcome:failure"), apiSamples)), "ms", "≤ 100", "")
	// A filter most events match: the database reads every matching row.
	res.add("facets, a common filter", median(timeGet(base+"/api/facets?size=8&q="+url.QueryEscape("category:alert"), apiSamples)), "ms", "≤ 100", "category:alert, most events")
	// A query with words is counted by the search index, not the database.
	res.add("facets, a word query", median(timeGet(base+"/api/facets?size=8&q=payments", apiSamples)), "ms", "≤ 100", "payments, as the screen asks")
	res.add("histogram, a word query", median(timeGet(base+"/api/histogram?stack=category&q=payments", apiSamples)), "ms", "≤ 100", "")
	res.add("facets, a word in most events", median(timeGet(base+"/api/facets?size=8&q=acme", apiSamples)), "ms", "≤ 100", "acme")
	res.add("histogram, a word in most events", median(timeGet(base+"/api/histogram?stack=category&q=acme", apiSamples)), "ms", "≤ 100", "")
	// What the screen asks after a zoom on the timeline: the middle half of
	// the case's span; and after excluding a noisy actor.
	var whole struct{ Edges []time.Time }
	getJSON(base+"/api/histogram", &whole)
	if len(whole.Edges) > 1 {
		first, span := whole.Edges[0], whole.Edges[len(whole.Edges)-1].Sub(whole.Edges[0])
		zoom := url.Values{"from": {first.Add(span / 4).Format(time.RFC3339)}, "to": {first.Add(span * 3 / 4).Format(time.RFC3339)}, "size": {"8"}}.Encode()
		res.add("facets, a time range (a zoom)", median(timeGet(base+"/api/facets?"+zoom, apiSamples)), "ms", "≤ 100", "the middle half of the span")
		res.add("histogram, a time range (a zoom)", median(timeGet(base+"/api/histogram?stack=category&"+zoom, apiSamples)), "ms", "≤ 100", "")
	}
	exclude := url.QueryEscape("-actor.label:ilert")
	res.add("facets, excluding one actor", median(timeGet(base+"/api/facets?size=8&q="+exclude, apiSamples)), "ms", "≤ 100", "-actor.label:ilert")
	res.add("histogram, excluding one actor", median(timeGet(base+"/api/histogram?stack=outcome&q="+exclude, apiSamples)), "ms", "≤ 100", "")
	var page struct {
		Events []struct {
			ID      string
			Request string
			Targets []struct{ Type, ID, Name string }
		}
	}
	getJSON(base+"/api/search?limit=1&q="+url.QueryEscape("+action:escalation_policy.updated"), &page)
	if len(page.Events) > 0 {
		ev := page.Events[0]
		res.add("open one event with its diff", median(timeGet(base+"/api/events/"+ev.ID, apiSamples)), "ms", "", "")
		t := ev.Targets[0]
		res.add("resource history of a busy target", median(timeGet(base+"/api/history?"+url.Values{"type": {t.Type}, "id": {t.ID}}.Encode(), apiSamples)), "ms", "", t.Type+" "+t.Name)
		// "Same request" on the event: its request id, stored, not indexed.
		same := url.Values{"q": {`+request:"` + ev.Request + `"`}, "limit": {"100"}, "raw": {"0"}}
		res.add("the same request as one event", median(timeGet(base+"/api/search?"+same.Encode(), apiSamples)), "ms", "", same.Get("q"))
	}
	srv.Process.Kill()
	srv.Wait()

	if *report {
		measureReport(res, work, caseDir)
	}
	if input != "" && *peers {
		measurePeers(res, work, input, wall)
	}
	check(os.MkdirAll(*out, 0o755))
	b, _ := json.MarshalIndent(res, "", "  ")
	check(os.WriteFile(filepath.Join(*out, "results.json"), append(b, '\n'), 0o644))
	check(os.WriteFile(filepath.Join(*out, "results.md"), []byte(res.markdown()), 0o644))
	fmt.Print(res.markdown())
}

// generateAndImport writes the demo trail and imports it into fresh cases,
// adding the import figures; it returns the trail, the last case and the
// import times.
func generateAndImport(res *results, work string) (input, caseDir string, wall []float64) {
	input = filepath.Join(work, "trail.ndjson")
	f, err := os.Create(input)
	check(err)
	w := bufio.NewWriterSize(f, 1<<20)
	check(demo.Generate(demo.Options{Events: *n, Seed: 1}, w))
	check(w.Flush())
	check(f.Close())
	st, _ := os.Stat(input)
	res.InputMB = float64(st.Size()) / (1 << 20)
	log("input: %d events, %.0f MiB NDJSON", *n, res.InputMB)

	// Import, into a fresh case each run.
	var rss, anon, file, first, size []float64
	for i := 0; i < *runs; i++ {
		caseDir = filepath.Join(work, fmt.Sprintf("case%d", i))
		r := runImport(caseDir, input)
		wall, rss, first = append(wall, r.wall), append(rss, r.peak), append(first, r.first)
		anon, file = append(anon, r.anon), append(file, r.file)
		size = append(size, dirMB(caseDir))
		log("import run %d: %.1f s, peak RSS %.0f MiB (anonymous %.0f, file-backed %.0f), first events browsable after %.1f s",
			i+1, r.wall, r.peak, r.anon, r.file, r.first)
		if i < *runs-1 {
			os.RemoveAll(caseDir)
		}
	}
	res.add("import: wall seconds until every event is searchable", median(wall), "s", "≤ 60 s at 1M", "")
	res.add("import: events per second", float64(*n)/median(wall), "events/s", "≥ 16k", "")
	res.add("import: peak RSS", median(rss), "MiB", "≤ 572 (600 MB)", "")
	res.add("— of it, peak anonymous memory", median(anon), "MiB", "", "Go heap, SQLite, stacks: what the import holds")
	res.add("— of it, peak file-backed memory", median(file), "MiB", "", "mapped files: the index segments Bleve reads, the program; clean page cache the kernel can take back")
	res.add("import: seconds until the first events can be browsed", median(first), "s", "≤ 3", "a second process (serve) answers the first page while the import runs")
	res.add("case size / NDJSON size", median(size)/res.InputMB, "×", "≤ 1.2", fmt.Sprintf("%.0f MiB", median(size)))

	return input, caseDir, wall
}

// measureReport adds the Excel report of every event.
func measureReport(res *results, work, caseDir string) {
	var rsec, rrss []float64
	var xlsx float64
	for i := 0; i < *runs; i++ {
		p := filepath.Join(work, "report.xlsx")
		s, peak, err := runMeasured(*bin, "report", "--case", caseDir, "--out", p)
		check(err)
		rsec, rrss = append(rsec, s), append(rrss, peak)
		xlsx = fileMB(p)
	}
	res.add("report: every event to Excel", median(rsec), "s", "≤ 45 at 1M", fmt.Sprintf("%.0f MiB file", xlsx))
	res.add("report: peak RSS", median(rrss), "MiB", "≤ 381 (400 MB)", "")
}

// measurePeers adds the peers on the same file, where installed.
func measurePeers(res *results, work, input string, wall []float64) {
	peer := func(name string, args ...string) {
		if _, err := exec.LookPath(args[0]); err != nil {
			res.add("peer: "+name, 0, "s", "", args[0]+" not installed")
			return
		}
		var secs []float64
		for i := 0; i < *runs; i++ {
			s, _, err := runMeasured(args[0], args[1:]...)
			if err != nil {
				res.add("peer: "+name, 0, "s", "", "failed: "+err.Error())
				return
			}
			secs = append(secs, s)
		}
		res.add("peer: "+name, median(secs), "s", "", fmt.Sprintf("auditlens import is %.1f× this", median(wall)/max(median(secs), 1e-6)))
	}
	peer("rg, a literal word (a raw scan)", "rg", "-c", "-F", "escalation_policy.updated", input)
	db := filepath.Join(work, "peer.db")
	peer("sqlite3 CLI importing the file", "sh", "-c", fmt.Sprintf(`rm -f %s && sqlite3 %s -cmd 'CREATE TABLE t(line TEXT);' -cmd '.separator "\001" "\n"' '.import %s t'`, db, db, input))
	peer("lnav loading the file", "lnav", "-n", input)
}

func (r *results) add(name string, v float64, unit, target, note string) {
	r.Figures = append(r.Figures, figure{name, v, unit, target, note})
}

func (r *results) markdown() string {
	var b strings.Builder
	fmt.Fprintf(&b, "# auditlens benchmark\n\n`%s` on %s, %s.\n\n", r.Command, r.Machine, r.When)
	fmt.Fprintf(&b, "Input: %d generated demo events, %.0f MiB of NDJSON. The import, cold start and report figures are the median of %d runs; each figure of the API, the median (or the percentile it names) of %d requests after a warm one.\n\n", r.Events, r.InputMB, r.Runs, apiSamples)
	b.WriteString("| figure | value | target | note |\n| --- | ---: | --- | --- |\n")
	for _, f := range r.Figures {
		v := strconv.FormatFloat(f.Value, 'f', 1, 64)
		if f.Unit == "events/s" || f.Unit == "MiB" {
			v = strconv.FormatFloat(f.Value, 'f', 0, 64)
		}
		fmt.Fprintf(&b, "| %s | %s %s | %s | %s |\n", f.Name, v, f.Unit, f.Target, strings.ReplaceAll(f.Note, "|", "\\|"))
	}
	return b.String()
}

// runImport imports input into a fresh case, returning its wall seconds,
// peak RSS and when the first events were stored.
// importRun is what one import measured.
type importRun struct {
	wall, peak, first float64
	anon, file        float64 // peaks of anonymous and file-backed resident memory
}

func runImport(caseDir, input string) importRun {
	cmd := exec.Command(*bin, "import", "--case", caseDir, "--json", input)
	start := time.Now()
	check(cmd.Start())
	r := importRun{first: -1}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	db := filepath.Join(caseDir, "case.db")
	for {
		select {
		case err := <-done:
			check(err)
			r.wall, r.peak, r.first = time.Since(start).Seconds(), max(r.peak, hwm(cmd)), max(r.first, 0)
			return r
		case <-time.After(50 * time.Millisecond):
			m := procMemory(cmd.Process.Pid)
			r.peak, r.anon, r.file = max(r.peak, m["VmHWM"]), max(r.anon, m["RssAnon"]), max(r.file, m["RssFile"])
			if r.first < 0 && storedAny(db) {
				// Browsable: a serve of its own answers the first page
				// while the import runs (and holds the search index).
				srv, _, _ := startServe(caseDir)
				r.first = time.Since(start).Seconds()
				srv.Process.Kill()
				srv.Wait()
			}
		}
	}
}

// storedAny asks the sqlite3 CLI whether events are stored yet (WAL readers
// do not block the importer).
func storedAny(db string) bool {
	if _, err := os.Stat(db); err != nil {
		return false
	}
	out, err := exec.Command("sqlite3", "-readonly", db, "SELECT count(*) > 0 FROM (SELECT 1 FROM events LIMIT 1)").Output()
	return err == nil && strings.TrimSpace(string(out)) == "1"
}

func runMeasured(name string, args ...string) (float64, float64, error) {
	cmd := exec.Command(name, args...)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	start := time.Now()
	check(cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	peak := 0.0
	for {
		select {
		case err := <-done:
			return time.Since(start).Seconds(), max(peak, hwm(cmd)), err
		case <-time.After(50 * time.Millisecond):
			peak = max(peak, vmHWM(cmd.Process.Pid))
		}
	}
}

func hwm(cmd *exec.Cmd) float64 {
	if cmd.ProcessState == nil {
		return 0
	}
	return maxrss(cmd)
}

func vmHWM(pid int) float64 { return procMemory(pid)["VmHWM"] }

var procMemoryRe = regexp.MustCompile(`(?m)^(VmHWM|RssAnon|RssFile):\s+(\d+) kB`)

// procMemory reads a process's memory figures from /proc/PID/status, in
// MiB: VmHWM (peak resident), RssAnon (heap, stacks, SQLite's allocations)
// and RssFile (pages of mapped files: Bleve maps its index segments).
func procMemory(pid int) map[string]float64 {
	out := map[string]float64{}
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return out
	}
	for _, m := range procMemoryRe.FindAllSubmatch(b, -1) {
		kb, _ := strconv.ParseFloat(string(m[2]), 64)
		out[string(m[1])] = kb / 1024
	}
	return out
}

func startServe(caseDir string) (*exec.Cmd, string, float64) {
	cmd := exec.Command(*bin, "serve", "--case", caseDir, "--addr", "127.0.0.1:0")
	pr, err := cmd.StdoutPipe()
	check(err)
	start := time.Now()
	check(cmd.Start())
	line, err := bufio.NewReader(pr).ReadString('\n')
	check(err)
	go io.Copy(io.Discard, pr)
	u := regexp.MustCompile(`http://\S+/`).FindString(line)
	base := strings.TrimSuffix(u, "/")
	for {
		res, err := http.Get(base + "/api/search?limit=100")
		if err == nil && res.StatusCode == 200 {
			io.Copy(io.Discard, res.Body)
			res.Body.Close()
			return cmd, base, time.Since(start).Seconds()
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func timeGet(u string, times int) []float64 {
	getJSON(u, nil) // warm
	var out []float64
	for i := 0; i < times; i++ {
		t := time.Now()
		getJSON(u, nil)
		out = append(out, float64(time.Since(t).Microseconds())/1000)
	}
	return out
}

func getJSON(u string, v any) {
	res, err := http.Get(u)
	check(err)
	defer res.Body.Close()
	if res.StatusCode != 200 {
		b, _ := io.ReadAll(res.Body)
		check(fmt.Errorf("%s: %d %s", u, res.StatusCode, b))
	}
	if v != nil {
		check(json.NewDecoder(res.Body).Decode(v))
	} else {
		io.Copy(io.Discard, res.Body)
	}
}

func median(v []float64) float64 { return pct(v, 50) }

func pct(v []float64, p float64) float64 {
	if len(v) == 0 {
		return 0
	}
	s := append([]float64(nil), v...)
	sort.Float64s(s)
	i := int(float64(len(s)-1) * p / 100)
	return s[i]
}

func dirMB(dir string) float64 {
	var total int64
	filepath.Walk(dir, func(_ string, info os.FileInfo, err error) error {
		if err == nil && !info.IsDir() {
			total += info.Size()
		}
		return nil
	})
	return float64(total) / (1 << 20)
}

func fileMB(p string) float64 {
	st, err := os.Stat(p)
	if err != nil {
		return 0
	}
	return float64(st.Size()) / (1 << 20)
}

func machine() string {
	mem := "?"
	if b, err := os.ReadFile("/proc/meminfo"); err == nil {
		if m := regexp.MustCompile(`MemTotal:\s+(\d+) kB`).FindSubmatch(b); m != nil {
			kb, _ := strconv.ParseFloat(string(m[1]), 64)
			mem = fmt.Sprintf("%.0f GiB", kb/1024/1024)
		}
	}
	cpu := "?"
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		if m := regexp.MustCompile(`model name\s*:\s*(.*)`).FindSubmatch(b); m != nil {
			cpu = string(m[1])
		}
	}
	return fmt.Sprintf("%d cores (%s), %s memory, %s/%s", runtime.NumCPU(), cpu, mem, runtime.GOOS, runtime.GOARCH)
}

func log(format string, args ...any) { fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...) }

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}
