package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"auditlens/internal/protect"
)

type result struct {
	code           int
	stdout, stderr string
}

func run(t *testing.T, args ...string) result {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(args, Env{Stdout: &out, Stderr: &errb})
	return result{code, out.String(), errb.String()}
}

func corpus(t *testing.T) string {
	t.Helper()
	d, _ := filepath.Abs("../../../shared/corpus")
	if _, err := os.Stat(d); err != nil {
		t.Skipf("corpus not found at %s: skipping", d)
	}
	return d
}

type importJSON struct {
	Events     int `json:"events"`
	Duplicates int `json:"duplicates"`
	Rejected   int `json:"rejected"`
	Sources    []struct {
		Path       string `json:"path"`
		Member     string `json:"member"`
		SHA256     string `json:"sha256"`
		Format     string `json:"format"`
		Events     int    `json:"events"`
		Duplicates int    `json:"duplicates"`
		Rejected   int    `json:"rejected"`
		Errors     []struct {
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"errors"`
	} `json:"sources"`
}

func decodeImport(t *testing.T, r result) importJSON {
	t.Helper()
	var s importJSON
	if err := json.Unmarshal([]byte(r.stdout), &s); err != nil {
		t.Fatalf("import --json printed no JSON: %v\n%s\n%s", err, r.stdout, r.stderr)
	}
	return s
}

func TestImportCorpusJSON(t *testing.T) {
	dir := corpus(t)
	c := filepath.Join(t.TempDir(), "case")
	r := run(t, "import", "--case", c, "--json", dir)
	if r.code != 0 {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	s := decodeImport(t, r)
	if s.Events < 850 {
		t.Fatalf("%d events", s.Events)
	}
	formats := map[string]bool{}
	for _, src := range s.Sources {
		formats[src.Format] = true
		if len(src.SHA256) != 64 || src.Path == "" {
			t.Errorf("source without hash or path: %+v", src)
		}
	}
	for _, f := range []string{"aws.cloudtrail", "aws.cloudtrail.lookup", "okta.system_log", "github.audit", "kubernetes.audit", "linux.auditd", "zip"} {
		if !formats[f] {
			t.Errorf("no source detected as %s", f)
		}
	}
	again := decodeImport(t, run(t, "import", "--case", c, "--json", dir))
	if again.Events != 0 || again.Duplicates != s.Events+s.Duplicates {
		t.Fatalf("second import: %d events %d duplicates", again.Events, again.Duplicates)
	}

	// search --json: newest first, fields as in DESIGN.md
	r = run(t, "search", "--case", c, "--json", "--limit", "5", "+format:okta.system_log")
	var res struct {
		Total  int              `json:"total"`
		Events []map[string]any `json:"events"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &res); err != nil || r.code != 0 {
		t.Fatalf("search: %v %d %s", err, r.code, r.stderr)
	}
	if res.Total != 100 || len(res.Events) != 5 {
		t.Fatalf("okta: total %d, %d events; want 100 and 5", res.Total, len(res.Events))
	}
	for _, k := range []string{"id", "time", "format", "source", "category", "action", "outcome", "actor", "targets", "ip", "user_agent", "session", "request", "message", "changes", "raw"} {
		if _, ok := res.Events[0][k]; !ok {
			t.Errorf("event lacks %q", k)
		}
	}
	if _, ok := res.Events[0]["raw"].(map[string]any); !ok {
		t.Errorf("raw of a JSON record is printed as the record itself, got %T", res.Events[0]["raw"])
	}
	prev := ""
	for _, e := range res.Events {
		tm := e["time"].(string)
		if prev != "" && tm > prev {
			t.Fatalf("not newest first: %s after %s", tm, prev)
		}
		prev = tm
	}

	// --from/--to and a readable table
	r = run(t, "search", "--case", c, "--from", "2020-09-14", "--to", "2020-09-14", "")
	if r.code != 0 || !strings.Contains(r.stdout, "TIME (UTC)") || !strings.Contains(r.stdout, "2020-09-14 ") {
		t.Fatalf("table: %d %s %s", r.code, r.stdout, r.stderr)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n")[1:] {
		if strings.HasPrefix(line, "20") && !strings.HasPrefix(line, "2020-09-14") {
			t.Fatalf("row outside the day: %s", line)
		}
	}
	if r := run(t, "search", "--case", c, "--from", "yesterday", ""); r.code != 2 || !strings.Contains(r.stderr, "--from") {
		t.Fatalf("bad --from: %d %s", r.code, r.stderr)
	}
	if r := run(t, "reindex", "--case", c); r.code != 0 || !strings.Contains(r.stdout, "indexed") {
		t.Fatalf("reindex: %d %s %s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "search", "--case", c, "--json", "actor.name:fakeusername"); !strings.Contains(r.stdout, `"total":5`) {
		t.Fatalf("after reindex: %s %s", r.stdout, r.stderr)
	}
}

func TestImportBadInputExitStatus(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.ndjson")
	os.WriteFile(bad, []byte("{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"u\",\"action\":\"ok\"}\n{\"broken\n"), 0o644)
	c := filepath.Join(dir, "case")
	// Rejected records: exit 0, each reason on stderr as file:line: reason.
	r := run(t, "import", "--case", c, bad)
	if r.code != 0 || !strings.Contains(r.stderr, bad+":2: truncated JSON record") || !strings.Contains(r.stdout, "imported 1 events") {
		t.Fatalf("exit %d\nstdout %s\nstderr %s", r.code, r.stdout, r.stderr)
	}
	// A path that cannot be opened: exit 1 after the rest is imported.
	other := filepath.Join(dir, "other.ndjson")
	os.WriteFile(other, []byte(`{"time":"2026-01-02T00:00:00Z","user":"u","action":"two"}`), 0o644)
	r = run(t, "import", "--case", c, "--json", filepath.Join(dir, "nope.json"), other)
	if r.code != 1 || !strings.Contains(r.stderr, "nope.json") {
		t.Fatalf("missing path: exit %d, %s", r.code, r.stderr)
	}
	if s := decodeImport(t, r); s.Events != 1 {
		t.Fatalf("the readable file was not imported: %+v", s)
	}
}

func TestFormats(t *testing.T) {
	r := run(t, "formats")
	for _, f := range []string{"aws.cloudtrail", "okta.system_log", "github.audit", "kubernetes.audit", "ilert.audit", "generic"} {
		if !strings.Contains(r.stdout, f+" ") {
			t.Errorf("formats lacks %s:\n%s", f, r.stdout)
		}
	}
	lines := strings.Split(strings.TrimSpace(r.stdout), "\n")
	if !strings.HasPrefix(lines[len(lines)-1], "generic") {
		t.Errorf("generic is not last")
	}
}

func TestServeRefusesOpenAddressWithoutToken(t *testing.T) {
	r := run(t, "serve", "--case", t.TempDir(), "--addr", "0.0.0.0:0")
	if r.code != 2 || !strings.Contains(r.stderr, "--token") {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	// a token anybody could guess is no lock
	for _, tok := range []string{"a", " ", "short-token-15ch"[:15]} {
		r := run(t, "serve", "--case", t.TempDir(), "--addr", "0.0.0.0:0", "--token", tok)
		if r.code != 2 || !strings.Contains(r.stderr, "at least 16 characters") {
			t.Fatalf("--token %q: exit %d: %s", tok, r.code, r.stderr)
		}
	}
}

func TestDemo(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "case")
	zip := filepath.Join(dir, "demo.zip")
	r := run(t, "demo", "--case", c, "--events", "3000", "--seed", "7", "--out", zip)
	if r.code != 0 {
		t.Fatalf("demo: %d %s", r.code, r.stderr)
	}
	if _, err := os.Stat(zip); err != nil {
		t.Fatal("no export archive")
	}
	var res struct {
		Total  int `json:"total"`
		Events []struct {
			Time    time.Time `json:"time"`
			Format  string    `json:"format"`
			Changes []any     `json:"changes"`
			Actor   struct{ Email string }
		} `json:"events"`
	}
	out := run(t, "search", "--case", c, "--json", "--limit", "1", "").stdout
	json.Unmarshal([]byte(out), &res)
	if res.Total != 3000 || res.Events[0].Format != "ilert.audit" {
		t.Fatalf("demo case: %s", out)
	}
	// The suspicious episode is there to be found: a role change to ADMIN.
	out = run(t, "search", "--case", c, "--json", "+action:user.role_changed +ADMIN").stdout
	json.Unmarshal([]byte(out), &res)
	if res.Total == 0 || len(res.Events[0].Changes) == 0 {
		t.Fatalf("no role change to ADMIN with its change: %s", out)
	}
	// Importing the archive again adds nothing.
	s := decodeImport(t, run(t, "import", "--case", c, "--json", zip))
	if s.Events != 0 || s.Duplicates != 3000 {
		t.Fatalf("re-import of the demo archive: %+v", s)
	}
}

func TestImportWithUserMapping(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "case")
	data, _ := filepath.Abs("../ingest/testdata/usermapping/acme-vpn.ndjson")
	mapping, _ := filepath.Abs("../ingest/testdata/usermapping/acme-vpn.json")
	s := decodeImport(t, run(t, "import", "--case", c, "--json", "--mapping", mapping, data))
	if s.Events != 3 || s.Sources[0].Format != "acme.vpn" {
		t.Fatalf("%+v", s)
	}
	// a mapping in the case's mappings/ folder is used without the flag, and listed
	os.MkdirAll(filepath.Join(c, "mappings"), 0o755)
	b, _ := os.ReadFile(mapping)
	os.WriteFile(filepath.Join(c, "mappings", "vpn.json"), b, 0o644)
	if r := run(t, "formats", "--case", c); !strings.HasPrefix(r.stdout, "acme.vpn ") {
		t.Fatalf("formats: %s", r.stdout)
	}
	bad, _ := filepath.Abs("../ingest/testdata/usermapping/bad-regex.json")
	if r := run(t, "import", "--case", c, "--mapping", bad, data); r.code != 2 || !strings.Contains(r.stderr, "bad-regex.json") {
		t.Fatalf("bad mapping: exit %d %s", r.code, r.stderr)
	}
	if r := run(t, "formats", "--json", "github.audit"); !strings.Contains(r.stdout, `"created_at"`) {
		t.Fatalf("formats --json: %s", r.stdout)
	}
}

// An import whose context ends (Ctrl-C) stops, says so with what it stored,
// exits 1, and leaves a case the same import completes later.
func TestImportStopped(t *testing.T) {
	dir := t.TempDir()
	f := filepath.Join(dir, "a.ndjson")
	os.WriteFile(f, []byte("{\"time\":\"2026-01-01T00:00:00Z\",\"user\":\"u\",\"action\":\"one\"}\n{\"time\":\"2026-01-01T00:00:01Z\",\"user\":\"u\",\"action\":\"two\"}\n"), 0o644)
	c := filepath.Join(dir, "case")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out, errb bytes.Buffer
	code := Run([]string{"import", "--case", c, f}, Env{Stdout: &out, Stderr: &errb, Context: ctx})
	if code != 1 || !strings.Contains(errb.String(), "import stopped before its end") ||
		!strings.Contains(errb.String(), "the import was stopped while reading this, and the rest of it was not read") {
		t.Fatalf("stopped import: exit %d\nstdout %s\nstderr %s", code, out.String(), errb.String())
	}
	// the file was not read to its end: verify compares the part read, and
	// raises no alarm of a file that differs
	r := run(t, "verify", "--case", c, f)
	if r.code != 0 || !strings.Contains(r.stdout, "stopped in this file before it read any of it") || strings.Contains(r.stdout, "differs") {
		t.Fatalf("verify after a stop: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	r = run(t, "import", "--case", c, "--json", f)
	if s := decodeImport(t, r); r.code != 0 || s.Events != 2 {
		t.Fatalf("the import after a stop: exit %d, %+v, %s", r.code, s, r.stderr)
	}
	if r := run(t, "verify", "--case", c, f); r.code != 0 || !strings.Contains(r.stdout, "all 2 sources intact") {
		t.Fatalf("verify once completed: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// a file changed since is found out, in the part the stopped import
	// read as well; one removed is missing
	os.WriteFile(f, []byte("{}\n"), 0o644)
	if r := run(t, "verify", "--case", c, f); r.code != 1 || strings.Count(r.stdout, "differs ") != 1 {
		t.Fatalf("verify of a changed file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	os.Remove(f)
	if r := run(t, "verify", "--case", c, f); r.code != 1 || strings.Count(r.stdout, "missing ") != 2 {
		t.Fatalf("verify of a removed file: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// A report or export interrupted (Ctrl-C: its context ends) says so and
// leaves no file, whole or partial, beside where it was to be.
func TestReportAndExportInterrupted(t *testing.T) {
	dir := t.TempDir()
	c := filepath.Join(dir, "case")
	if r := run(t, "demo", "--case", c, "--events", "2500", "--seed", "3"); r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	outDir := filepath.Join(dir, "out")
	os.Mkdir(outDir, 0o755)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	for _, args := range [][]string{
		{"report", "--case", c, "--out", filepath.Join(outDir, "r.xlsx")},
		{"export", "--case", c, "--format", "csv", "--out", filepath.Join(outDir, "e.csv")},
	} {
		var out, errb bytes.Buffer
		code := Run(args, Env{Stdout: &out, Stderr: &errb, Context: ctx})
		if code != 1 || !strings.Contains(errb.String(), "stopped before its end") {
			t.Fatalf("%s interrupted: exit %d\n%s%s", args[0], code, out.String(), errb.String())
		}
		if left, _ := os.ReadDir(outDir); len(left) != 0 {
			t.Fatalf("%s interrupted left %v", args[0], left)
		}
	}
}

// The commands that read a case refuse a folder that holds none, and make
// none there: a mistyped --case must not pass verify on an empty case.
func TestReadingCommandsNeedACase(t *testing.T) {
	dir := t.TempDir()
	notACase := filepath.Join(dir, "papers")
	os.Mkdir(notACase, 0o755)
	for _, c := range []string{filepath.Join(dir, "typo"), notACase} {
		for _, args := range [][]string{{"search", "x"}, {"verify"}, {"log"}, {"reindex"},
			{"export", "--format", "csv", "--out", "-"}, {"report", "--out", filepath.Join(dir, "r.xlsx")}} {
			r := run(t, append([]string{args[0], "--case", c}, args[1:]...)...)
			if r.code != 2 || !strings.Contains(r.stderr, "there is no case at "+c) {
				t.Errorf("%s on %s: exit %d\n%s%s", args[0], c, r.code, r.stdout, r.stderr)
			}
		}
		if _, err := os.Stat(filepath.Join(c, "case.db")); err == nil {
			t.Errorf("a case was made at %s", c)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "typo")); err == nil {
		t.Error("the mistyped folder was made")
	}
	if _, err := os.Stat(filepath.Join(dir, "r.xlsx")); err == nil {
		t.Error("a report of no case was written")
	}
}

// --limit says how many events to print: none or fewer is refused, not
// taken for the default.
func TestSearchLimitRefused(t *testing.T) {
	c := filepath.Join(t.TempDir(), "case")
	if r := run(t, "demo", "--case", c, "--events", "200", "--seed", "2"); r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	for _, n := range []string{"0", "-1"} {
		if r := run(t, "search", "--case", c, "--limit", n, ""); r.code != 2 || !strings.Contains(r.stderr, "1 or more") {
			t.Errorf("--limit %s: exit %d, %s%s", n, r.code, r.stdout, r.stderr)
		}
	}
	if r := run(t, "search", "--case", c, "--limit", "1", "--json", ""); r.code != 0 || strings.Count(r.stdout, `"raw_sha256"`) != 1 {
		t.Errorf("--limit 1: exit %d, %s", r.code, r.stdout)
	}
}

// A case on write-protected media (evidence behind a write blocker) is
// read as it is: search, verify, the log, reports and exports work and
// write nothing beside it; what would write is refused in words, with what
// to do. (SQLite had said "attempt to write a readonly database (1544)".)
func TestReadOnlyCaseReadAsItIs(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "case")
	if r := run(t, "demo", "--case", src, "--events", "300", "--seed", "4"); r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	want := map[string]string{}
	for _, q := range []string{"payments", "outcome:failure", ""} {
		want[q] = took.ReplaceAllString(run(t, "search", "--case", src, "--json", "--limit", "500", q).stdout, "")
	}
	before := folderSums(t, src)
	c := protect.WriteProtected(t, dir, src)

	for q, w := range want {
		if r := run(t, "search", "--case", c, "--json", "--limit", "500", q); r.code != 0 || took.ReplaceAllString(r.stdout, "") != w {
			t.Errorf("search %q on the read-only case: exit %d, %s\nanswers differ: %v", q, r.code, r.stderr, took.ReplaceAllString(r.stdout, "") != w)
		}
	}
	if r := run(t, "verify", "--case", c); r.code != 0 || !strings.Contains(r.stdout, "intact") {
		t.Errorf("verify: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "log", "--case", c); r.code != 0 || !strings.Contains(r.stdout, "import") {
		t.Errorf("log: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	out := filepath.Join(dir, "r.xlsx")
	if r := run(t, "report", "--case", c, "--query", "outcome:failure", "--out", out); r.code != 0 {
		t.Errorf("report: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	} else if head := summaryValue(t, out, "Activity log"); !strings.Contains(head, "the case was read-only: this report is not in its log") {
		t.Errorf("the report's activity log cell: %q", head)
	}
	if r := run(t, "export", "--case", c, "--format", "ndjson", "--out", filepath.Join(dir, "e.ndjson")); r.code != 0 {
		t.Errorf("export: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, args := range [][]string{{"import", "/dev/null"}, {"reindex"}} {
		r := run(t, append([]string{args[0], "--case", c}, args[1:]...)...)
		if r.code == 0 || !strings.Contains(r.stderr, "is read-only") || !strings.Contains(r.stderr, "copy the folder") {
			t.Errorf("%s: exit %d\n%s%s", args[0], r.code, r.stdout, r.stderr)
		}
	}
	if after := folderSums(t, src); !maps.Equal(before, after) {
		t.Errorf("the read-only case changed:\nbefore %v\nafter  %v", before, after)
	}
}

// A read-only case that would have to be written to be read as it is, is
// refused, or read without words, and said so; no case is made on
// write-protected media.
func TestReadOnlyCaseThatNeedsWriting(t *testing.T) {
	dir := t.TempDir()
	empty := filepath.Join(dir, "empty")
	os.Mkdir(empty, 0o755)
	ro := protect.WriteProtected(t, dir, empty)
	if r := run(t, "import", "--case", ro, "/dev/null"); r.code != 2 || !strings.Contains(r.stderr, "is read-only") ||
		!strings.Contains(r.stderr, "a case cannot be made there") {
		t.Errorf("a new case on write-protected media: exit %d\n%s", r.code, r.stderr)
	}
	protect.Undo(t, ro)
	src := filepath.Join(dir, "case")
	if r := run(t, "demo", "--case", src, "--events", "100", "--seed", "4"); r.code != 0 {
		t.Fatalf("demo: %s", r.stderr)
	}
	// Without its search index: fields are answered, words refused.
	os.Rename(filepath.Join(src, "index"), filepath.Join(dir, "index"))
	c := protect.WriteProtected(t, dir, src)
	if r := run(t, "search", "--case", c, "action:user.login"); r.code != 0 || !strings.Contains(r.stdout, "user.login") {
		t.Errorf("a field on a read-only case without its index: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if r := run(t, "search", "--case", c, "payments"); r.code == 0 || !strings.Contains(r.stderr, "words cannot be searched here") ||
		!strings.Contains(r.stderr, "there is none") {
		t.Errorf("a word on a read-only case without its index: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	protect.Undo(t, c)
	// Changes left in the database's write-ahead log (a copy made while
	// the case was open) would be missing from what it shows.
	os.WriteFile(filepath.Join(src, "case.db-wal"), []byte("not yet checkpointed"), 0o644)
	c = protect.WriteProtected(t, dir, src)
	if r := run(t, "search", "--case", c, ""); r.code == 0 || !strings.Contains(r.stderr, "write-ahead log") ||
		!strings.Contains(r.stderr, "copy the folder") {
		t.Errorf("a read-only case with a write-ahead log: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// took is how long a search took, in its JSON.
var took = regexp.MustCompile(`"took_ms":[0-9.e+-]+`)

// folderSums are the SHA-256 of every file under dir, by path.
func folderSums(t *testing.T, dir string) map[string]string {
	t.Helper()
	sums := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		sums[p] = fmt.Sprintf("%x", sha256.Sum256(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return sums
}

// A flag given wrong is said in words and exits 2, as other refusals do.
func TestFlagErrorsSaidPlainly(t *testing.T) {
	r := run(t, "search", "--case", t.TempDir(), "--limit", "abc", "")
	if r.code != 2 || !strings.Contains(r.stderr, `"abc" for "--limit" flag: give a whole number`) || strings.Contains(r.stderr, "strconv") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
	if r := run(t, "search", "--nope"); r.code != 2 || !strings.Contains(r.stderr, "unknown flag: --nope") {
		t.Errorf("exit %d: %s", r.code, r.stderr)
	}
}

// summaryValue is the value of a row of a report's Summary sheet.
func summaryValue(t *testing.T, file, name string) string {
	t.Helper()
	book, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer book.Close()
	rows, _ := book.GetRows("Summary")
	for _, row := range rows {
		if len(row) > 2 && row[1] == name {
			return row[2]
		}
	}
	t.Fatalf("no %q in the Summary: %v", name, rows)
	return ""
}

// Every wrong use exits 2, as the README says: cobra's own refusals of a
// command line, and a format no mapping names, before any file is read.
func TestWrongUsesExit2(t *testing.T) {
	c := filepath.Join(t.TempDir(), "case")
	for _, args := range [][]string{{"nosuchcmd"}, {"import", "--case", c}, {"search", "--case", c, "a", "b"},
		{"import", "--case", c, "--format", "nosuch", "/dev/null"}} {
		if r := run(t, args...); r.code != 2 || r.stderr == "" {
			t.Errorf("%q: exit %d, %s", args, r.code, r.stderr)
		}
	}
}

// An empty range is refused with its times as given, to the nanosecond.
func TestEmptyRangeSaidExactly(t *testing.T) {
	c := filepath.Join(t.TempDir(), "case")
	if r := run(t, "demo", "--case", c, "--events", "20", "--seed", "3"); r.code != 0 {
		t.Fatal(r.stderr)
	}
	r := run(t, "search", "--case", c, "--from", "2026-09-11T17:42:25.91Z", "--to", "2026-09-11T17:42:25.5Z", "")
	if r.code != 2 || !strings.Contains(r.stderr, "2026-09-11T17:42:25.91Z is not before its end (to, excluded) 2026-09-11T17:42:25.5Z") {
		t.Errorf("exit %d, %s", r.code, r.stderr)
	}
}
