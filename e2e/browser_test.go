// Package e2e drives the UI as a user meets it: `auditlens serve` on a demo
// case, in real headless Chromium.
package e2e

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/page"
	cdpruntime "github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
	"github.com/xuri/excelize/v2"

	"auditlens/backend/cli"
	"auditlens/backend/demo"
	"auditlens/frontend"
	"auditlens/internal/protect"
)

const chromium = "/usr/bin/chromium"

// serve starts `auditlens serve` on a fresh case filled by `demo` plus
// hostile.ndjson, and returns its URL.
func serve(t *testing.T) string {
	t.Helper()
	if _, err := frontend.Assets().Open("index.html"); err != nil {
		t.Skip("frontend/dist is not built: run scripts/test (or npm run build in frontend/)")
	}
	dir := t.TempDir()
	caseDir := filepath.Join(dir, "case")
	cliRun(t, "demo", "--case", caseDir, "--events", "3000", "--seed", "5")
	hostile := filepath.Join(dir, "hostile.ndjson")
	os.WriteFile(hostile, []byte(`{"time":"2026-10-31T23:59:00Z","actor":{"name":"<img src=x onerror=alert(1)>"},"action":"xss.probe","message":"<script>window.__pwned=1</script> hello rtl.\u202etxt.exe","ip":"192.0.2.66"}`+"\n"), 0o644)
	cliRun(t, "import", "--case", caseDir, hostile)
	return startServe(t, caseDir)
}

// cliRun runs an auditlens command in the test's process, failing the test
// with what it said unless it succeeds.
func cliRun(t *testing.T, args ...string) {
	t.Helper()
	var out strings.Builder
	if code := cli.Run(args, cli.Env{Stdout: &out, Stderr: &out}); code != 0 {
		t.Fatalf("%s: exit %d\n%s", args[0], code, out.String())
	}
}

// startServe runs `auditlens serve` on caseDir and returns its URL. The
// server stops when the test ends, and the test waits for it (its
// background imports included) before its folders are removed.
func startServe(t *testing.T, caseDir string) string {
	t.Helper()
	ctx, stop := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	ended := make(chan int)
	go func() {
		code := cli.Run([]string{"serve", "--case", caseDir, "--addr", "127.0.0.1:0"}, cli.Env{Stdout: pw, Stderr: pw, Context: ctx})
		pw.Close()
		ended <- code
	}()
	t.Cleanup(func() {
		stop()
		if code := <-ended; code != 0 {
			t.Errorf("serve ended with status %d", code)
		}
	})
	line, err := bufio.NewReader(pr).ReadString('\n')
	if err != nil {
		t.Fatalf("serve printed %q: %v", line, err)
	}
	go io.Copy(io.Discard, pr)
	m := regexp.MustCompile(`http://\S+`).FindString(line)
	if m == "" {
		t.Fatalf("serve printed no URL: %q", line)
	}
	return m
}

func browser(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromium); err != nil {
		t.Skipf("%s not installed (apt-get install chromium): skipping the browser tests", chromium)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium), chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(1280, 800))
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelC := chromedp.NewContext(actx)
	ctx, cancelT := context.WithTimeout(ctx, 3*time.Minute)
	t.Cleanup(func() { cancelT(); cancelC(); cancelA() })
	return ctx
}

// shot saves a screenshot as a test artefact in e2e/artifacts.
func shot(t *testing.T, ctx context.Context, name string) {
	t.Helper()
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(90))
	if err != nil {
		t.Fatalf("screenshot %s: %v", name, err)
	}
	os.MkdirAll("artifacts", 0o755)
	if err := os.WriteFile(filepath.Join("artifacts", name+".png"), png, 0o644); err != nil {
		t.Fatal(err)
	}
}

func run(t *testing.T, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
}

func text(t *testing.T, ctx context.Context, sel string) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(sel))
	if err != nil {
		t.Fatalf("text of %s: %v", sel, err)
	}
	return s
}

func eval[T any](t *testing.T, ctx context.Context, js string) T {
	t.Helper()
	v, err := chromedp.Run(ctx, chromedp.Evaluate[T](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return v
}

// waitFor polls a JavaScript condition until it holds.
func waitFor(t *testing.T, ctx context.Context, js string) {
	t.Helper()
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](js, chromedp.WithPollingTimeout(20*time.Second))); err != nil {
		t.Fatalf("waiting for %s: %v", js, err)
	}
}

// search types a query into the query bar and presses its button, as a user does.
func search(t *testing.T, ctx context.Context, q string) {
	t.Helper()
	setInput(t, ctx, "#query", "")
	run(t, ctx, chromedp.SendKeys("#query", q), chromedp.Click(`form.query button[type="submit"]`))
}

// setInput sets a field's value and tells the page, as typing would.
func setInput(t *testing.T, ctx context.Context, sel, value string) {
	t.Helper()
	js := fmt.Sprintf(`(() => { const e = document.querySelector(%q); e.value = %q;
		e.dispatchEvent(new Event(e.tagName === "SELECT" ? "change" : "input", {bubbles: true})); return true })()`, sel, value)
	eval[bool](t, ctx, js)
}

func TestInvestigatorFlow(t *testing.T) {
	url := serve(t)
	ctx := browser(t)
	dialogs := 0
	var console []string
	chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *page.EventJavascriptDialogOpening:
			dialogs++
		case *cdpruntime.EventExceptionThrown:
			console = append(console, e.ExceptionDetails.Text+" "+fmt.Sprint(e.ExceptionDetails.Exception))
		case *cdpruntime.EventConsoleAPICalled:
			for _, a := range e.Args {
				console = append(console, string(a.Value)+" "+a.Description)
			}
		}
	})
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("browser console:\n%s", strings.Join(console, "\n"))
		}
	})
	run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#events .row"), chromedp.WaitVisible("#timeline canvas"))
	if got := text(t, ctx, "#total"); got != "3,001 events" {
		t.Fatalf("total %q", got)
	}
	shot(t, ctx, "01-overview")

	t.Run("search", func(t *testing.T) {
		search(t, ctx, "+outcome:failure")
		waitFor(t, ctx, `location.search.includes("outcome")`)
		waitFor(t, ctx, `document.querySelector("#total").textContent !== "3,001 events"`)
		// the timeline counts the same events as the list
		waitFor(t, ctx, `document.querySelector("#timeline .legend").textContent.includes(document.querySelector("#total").textContent)`)
		rows := eval[[]string](t, ctx, `[...document.querySelectorAll("#events .row .c-outcome")].map(e => e.textContent)`)
		if len(rows) == 0 {
			t.Fatal("no failures listed")
		}
		for _, r := range rows {
			if r != "failure" {
				t.Fatalf("a %q row for +outcome:failure", r)
			}
		}
	})

	t.Run("facet click and negate", func(t *testing.T) {
		search(t, ctx, "")
		waitFor(t, ctx, `document.querySelector("#total").textContent === "3,001 events"`)
		run(t, ctx, chromedp.Click(`#facets section[data-field="category"] li:first-child .facet`))
		waitFor(t, ctx, `decodeURIComponent(location.search).includes('+category:"alert"')`)
		waitFor(t, ctx, `document.querySelector("#total").textContent !== "3,001 events"`)
		cats := eval[[]string](t, ctx, `[...new Set([...document.querySelectorAll("#events .row .c-action")].map(e => e.textContent.split(".")[0]))]`)
		if len(cats) != 1 || cats[0] != "alert" {
			t.Fatalf("after the alert facet: actions %v", cats)
		}
		run(t, ctx, chromedp.Click(`#facets section[data-field="outcome"] li:first-child .neg`))
		waitFor(t, ctx, `decodeURIComponent(location.search).includes('-outcome:"success"')`)
		shot(t, ctx, "02-facets")
		// Back undoes one filter at a time, the list with it
		narrowed := text(t, ctx, "#total")
		eval[bool](t, ctx, `(history.back(), true)`)
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q") === '+category:"alert"'`)
		waitFor(t, ctx, `document.querySelector("#total").textContent !== `+strconv.Quote(narrowed)+` && document.querySelector("#total").textContent !== "3,001 events"`)
		eval[bool](t, ctx, `(history.back(), true)`)
		waitFor(t, ctx, `!new URLSearchParams(location.search).get("q") && document.querySelector("#total").textContent === "3,001 events"`)
		eval[bool](t, ctx, `(history.forward(), true)`)
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q") === '+category:"alert"'`)
	})

	t.Run("histogram zoom", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#timeline .u-over"))
		box, err := chromedp.Run(ctx, chromedp.Dimensions("#timeline .u-over"))
		if err != nil {
			t.Fatal(err)
		}
		q := box.Content
		x0, x1, y := q[0]+(q[2]-q[0])*0.4, q[0]+(q[2]-q[0])*0.6, (q[1]+q[5])/2
		run(t, ctx,
			chromedp.MouseEvent(input.DispatchMouseEventTypeMousePressed, x0, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, (x0+x1)/2, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseMoved, x1, y, chromedp.ButtonLeft),
			chromedp.MouseEvent(input.DispatchMouseEventTypeMouseReleased, x1, y, chromedp.ButtonLeft))
		waitFor(t, ctx, `location.search.includes("from=") && location.search.includes("to=")`)
		waitFor(t, ctx, `!document.querySelector("#total").textContent.startsWith("3,001")`)
		shot(t, ctx, "03-zoomed")
	})

	t.Run("event detail, diff, history", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q="+strings.ReplaceAll("+action:escalation_policy.updated", "+", "%2B")),
			chromedp.WaitVisible("#events .row"), chromedp.Click("#events .row"), chromedp.WaitVisible("#detail"))
		waitFor(t, ctx, `document.querySelectorAll("#diff table.diff tbody tr").length > 0`)
		shot(t, ctx, "04-event-diff")
		// With the panel open the list is narrow: it drops IP, not Actor's
		// width (the narrow layout followed the window).
		if ip := eval[string](t, ctx, `getComputedStyle(document.querySelector("#events .row .c-ip")).display`); ip != "none" {
			t.Errorf("the IP column shows beside the panel (%s)", ip)
		}
		run(t, ctx, chromedp.Click("#detail .history-link"), chromedp.WaitVisible("#history"))
		waitFor(t, ctx, `document.querySelectorAll("#history li").length > 1`)
		first := text(t, ctx, "#history li:first-child .when")
		if !strings.Contains(first, "escalation_policy.created") {
			t.Fatalf("history starts with %q, want the creation", first)
		}
		shot(t, ctx, "05-history")
	})

	t.Run("same request", func(t *testing.T) {
		// The demo's request ids are each one event's: the list is the
		// event itself (request is answered from stored values).
		run(t, ctx, chromedp.Navigate(url+"?q="+strings.ReplaceAll("+action:escalation_policy.updated", "+", "%2B")),
			chromedp.WaitVisible("#events .row"), chromedp.Click("#events .row"), chromedp.WaitVisible("#around-request"))
		id := eval[string](t, ctx, `new URLSearchParams(location.search).get("sel")`)
		run(t, ctx, chromedp.Click("#around-request"))
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q").startsWith("+request:") && document.querySelector("#total").textContent === "1 event"`)
		if got := eval[string](t, ctx, `new URLSearchParams(location.search).get("sel")`); got != id || id == "" {
			t.Fatalf("the same request lists %q, the event was %q", got, id)
		}
	})

	t.Run("time zone switch", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=xss.probe"), chromedp.WaitVisible("#events .row"))
		if got := text(t, ctx, "#events .row .c-time"); got != "2026-10-31 23:59:00.000" {
			t.Fatalf("UTC time %q", got)
		}
		setInput(t, ctx, "#tz", "Asia/Tokyo")
		waitFor(t, ctx, `document.querySelector("#events .row .c-time").textContent === "2026-11-01 08:59:00.000"`)
		waitFor(t, ctx, `location.search.includes("tz=Asia")`)
	})

	t.Run("hostile data is text", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=xss.probe&tz=UTC"), chromedp.WaitVisible("#events .row"),
			chromedp.Click("#events .row"), chromedp.WaitVisible("#detail"))
		if got := text(t, ctx, "#events .row .c-actor"); got != "<img src=x onerror=alert(1)>" {
			t.Fatalf("actor cell %q", got)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll("#events img, #detail img, #detail script").length`); n != 0 {
			t.Fatalf("%d elements made from data", n)
		}
		if eval[bool](t, ctx, `window.__pwned === 1`) || dialogs != 0 {
			t.Fatalf("a script from the data ran (pwned or %d dialogs)", dialogs)
		}
		if !strings.Contains(text(t, ctx, "#detail"), "<script>window.__pwned=1</script> hello") {
			t.Fatal("the message is not shown as text")
		}
		// a right-to-left override is shown as a mark, in the list and the
		// detail, and turns no text around
		if got := text(t, ctx, "#detail"); !strings.Contains(got, "rtl.⟨U+202E⟩txt.exe") {
			t.Fatalf("the detail shows %q", got)
		}
		if eval[bool](t, ctx, `document.body.innerText.includes("\u202e")`) {
			t.Fatal("the screen holds the override itself")
		}
	})

	t.Run("a filter keeps the words searched", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=payments"), chromedp.WaitVisible("#events .row"),
			chromedp.WaitVisible(`#facets section[data-field="outcome"] .facet`))
		waitFor(t, ctx, `document.querySelector("#total").textContent !== "…"`)
		words := text(t, ctx, "#total")
		// the facet's count is what the filter lists: the words stay required
		want := eval[string](t, ctx, `document.querySelector('#facets section[data-field="outcome"] li:last-child .facet .n').textContent`)
		run(t, ctx, chromedp.Click(`#facets section[data-field="outcome"] li:last-child .facet`))
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q").startsWith('+payments +outcome:"')`)
		if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector("#total").textContent.replace(/ events?$/, "") === `+strconv.Quote(want),
			chromedp.WithPollingTimeout(10*time.Second))); err != nil {
			t.Fatalf("the facet counted %s of %s, the filter lists %s", want, words, text(t, ctx, "#total"))
		}
		// a word beside a +term is optional, and the screen says so
		search(t, ctx, "payments +outcome:failure")
		waitFor(t, ctx, `!!document.querySelector("#ignored") && document.querySelector("#ignored code").textContent === "payments"`)
		run(t, ctx, chromedp.Click("#require"))
		waitFor(t, ctx, `new URLSearchParams(location.search).get("q") === "+payments +outcome:failure"`)
		waitFor(t, ctx, `!document.querySelector("#ignored")`)
		// AND, OR and NOT are refused with what to write instead
		search(t, ctx, "NOT outcome:success")
		waitFor(t, ctx, `!!document.querySelector(".error.banner") && document.querySelector(".error.banner").textContent.includes("not an operator")`)
		// a query refused shows no count and no "no event matches"
		waitFor(t, ctx, `document.querySelector("#total").textContent === "—" && !document.querySelector("#no-match")`)
		// a query without hits leaves no chart of the one before
		search(t, ctx, "zzzznothingmatches")
		waitFor(t, ctx, `document.querySelector("#total").textContent === "0 events" && !document.querySelector("#timeline canvas")`)
		waitFor(t, ctx, `!!document.querySelector("#no-match") && document.querySelector("#no-match").textContent.includes("zzzznothingmatches")`)
	})

	t.Run("a narrow window", func(t *testing.T) {
		run(t, ctx, chromedp.EmulateViewport(800, 700), chromedp.Navigate(url+"?q=xss.probe"), chromedp.WaitVisible("#events .row"))
		defer run(t, ctx, chromedp.EmulateViewport(1280, 800))
		// nothing off the screen: no sideways scroll, every button of the bar in view
		if w := eval[int](t, ctx, `document.documentElement.scrollWidth - innerWidth`); w > 0 {
			t.Errorf("the page is %d px wider than the window", w)
		}
		off := eval[[]string](t, ctx, `[...document.querySelectorAll(".bar button, .bar select, .bar input")].filter(e => e.getBoundingClientRect().right > innerWidth).map(e => e.id || e.textContent)`)
		if len(off) > 0 {
			t.Errorf("off the screen: %v", off)
		}
		// an event's panel lies over the list and leaves it whole
		run(t, ctx, chromedp.Click("#events .row"), chromedp.WaitVisible("#detail"))
		if w := eval[int](t, ctx, `document.querySelector("#events").getBoundingClientRect().width`); w < 400 {
			t.Errorf("the list is %d px wide beside the panel", w)
		}
		shot(t, ctx, "10-narrow")
	})

	t.Run("an address with hidden characters or a bad range", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=rtl.%E2%80%AEtxt&from=garbage"), chromedp.WaitVisible("#hidden-in-query"))
		if got := text(t, ctx, "#hidden-in-query"); !strings.Contains(got, "rtl.⟨U+202E⟩txt") {
			t.Fatalf("the query shown: %q", got)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll(".fatal").length`); n != 0 {
			t.Fatalf("%s", text(t, ctx, ".fatal"))
		}
	})

	t.Run("the detail follows the selection, however its answers come", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=%2Bcategory%3Aalert"), chromedp.WaitVisible("#events .row"))
		// the first event's answer is held back until after the second's
		first := eval[string](t, ctx, `document.querySelector('#events .row[data-index="0"]').dataset.id`)
		eval[bool](t, ctx, `(() => { const f = window.fetch; window.fetch = (u, o) => String(u).includes("/api/events/`+first+`") ?
			new Promise(r => setTimeout(r, 800)).then(() => f(u, o)) : f(u, o); return true })()`)
		run(t, ctx, chromedp.Click(`#events .row[data-index="0"]`), chromedp.Focus("#events"), chromedp.KeyEvent("j"))
		second := eval[string](t, ctx, `document.querySelector('#events .row[data-index="1"]').dataset.id`)
		waitFor(t, ctx, `!!document.querySelector("#detail") && document.querySelector("#detail").dataset.id === `+strconv.Quote(second))
		time.Sleep(1200 * time.Millisecond) // the held answer has come by now
		if got := eval[string](t, ctx, `document.querySelector("#detail").dataset.id`); got != second {
			t.Fatalf("the detail shows %s, the selection is %s", got, second)
		}
	})

	t.Run("a dialog keeps the keyboard", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#events .row"), chromedp.Click("#report"), chromedp.WaitVisible("#report-dialog"))
		waitFor(t, ctx, `document.querySelector("#report-dialog").contains(document.activeElement)`)
		for range 12 {
			run(t, ctx, chromedp.KeyEvent(kb.Tab))
		}
		if !eval[bool](t, ctx, `document.querySelector("#report-dialog").contains(document.activeElement)`) {
			t.Fatalf("Tab left the dialog for %s", eval[string](t, ctx, `document.activeElement.outerHTML.slice(0, 80)`))
		}
		run(t, ctx, chromedp.KeyEvent(kb.Escape))
		waitFor(t, ctx, `!document.querySelector("#report-dialog") && document.activeElement === document.querySelector("#report")`)
	})

	t.Run("two events compared, the older before", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=%2Baction%3Aescalation_policy.updated"), chromedp.WaitVisible("#events .row"),
			chromedp.Click(`#events .row[data-index="0"]`), chromedp.WaitVisible("#detail #compare"), chromedp.Click("#compare"),
			chromedp.Click(`#events .row[data-index="1"]`), chromedp.WaitVisible("#comparison #compared"))
		older := text(t, ctx, `#events .row[data-index="1"] .c-time`)
		got := eval[[]string](t, ctx, `[...document.querySelectorAll("#compared li")].map(l => l.textContent)`)
		if len(got) != 2 || !strings.HasPrefix(got[0], "Before (older): "+older) || !strings.HasPrefix(got[1], "After (newer): ") {
			t.Fatalf("compared %q; the older is at %s", got, older)
		}
		waitFor(t, ctx, `!!document.querySelector("#comparison .diff")`)
		// Escape goes back to the event, as the comparison's × does.
		run(t, ctx, chromedp.KeyEvent(kb.Escape))
		waitFor(t, ctx, `!document.querySelector("#comparison") && !!document.querySelector("#detail")`)
	})

	t.Run("the timeline's days are the zone's", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?tz=Asia%2FKathmandu"), chromedp.WaitVisible("#timeline canvas"))
		waitFor(t, ctx, `performance.getEntriesByType("resource").some(e => e.name.includes("/api/histogram") && e.name.includes("tz=Asia%2FKathmandu"))`)
	})

	t.Run("a zone this browser does not know", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?tz=Not%2FAZone"), chromedp.WaitVisible("#events .row"))
		if got := eval[string](t, ctx, `document.querySelector("#tz").value`); got != "UTC" {
			t.Fatalf("zone %q", got)
		}
		if n := eval[int](t, ctx, `document.querySelectorAll(".fatal").length`); n != 0 {
			t.Fatalf("%s", text(t, ctx, ".fatal"))
		}
	})

	t.Run("import with progress", func(t *testing.T) {
		f := filepath.Join(t.TempDir(), "more.ndjson")
		var b strings.Builder
		for i := 0; i < 500; i++ {
			b.WriteString(`{"time":"2026-11-02T10:00:` + twoDigits(i%60) + `Z","user":"importer","action":"bulk.` + itoa(i) + `","ip":"192.0.2.77"}` + "\n")
		}
		b.WriteString("{broken\n")
		os.WriteFile(f, []byte(b.String()), 0o644)
		run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#events .row"), chromedp.Click("#import"),
			chromedp.WaitVisible("#import-dialog"), chromedp.SetUploadFiles("#upload", []string{f}), chromedp.Click("#upload-start"),
			chromedp.WaitVisible("#import-progress"))
		waitFor(t, ctx, `document.querySelector("#import-progress").dataset.state === "done"`)
		if got := text(t, ctx, "#import-events"); got != "500" {
			t.Fatalf("imported %q events", got)
		}
		if !strings.Contains(text(t, ctx, "#import-progress"), "1 rejected") {
			t.Fatalf("progress: %s", text(t, ctx, "#import-progress"))
		}
		shot(t, ctx, "06-import")
		run(t, ctx, chromedp.Click("#import-dialog .box > header button"))
		waitFor(t, ctx, `document.querySelector("#total").textContent === "3,501 events"`)
	})

	t.Run("report of the current query", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=%2Baction%3Aescalation_policy.updated&tz=Europe%2FBerlin"), chromedp.WaitVisible("#events .row"),
			chromedp.Click("#report"), chromedp.WaitVisible("#report-dialog"))
		// the same events download as CSV, a row each
		csvRows, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch(document.querySelector('#export a[data-format="csv"]').href).then(r => r.text()).then(t => t.trim().split("\n").length - 1)`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if want := strings.TrimSuffix(text(t, ctx, "#total"), " events"); fmt.Sprint(csvRows) != want {
			t.Fatalf("the CSV export has %d rows, the query %s events", csvRows, want)
		}
		run(t, ctx, chromedp.Click(`#report-dialog input[name="actors"]`), chromedp.Click("#report-start"), chromedp.WaitVisible("#report-progress"))
		waitFor(t, ctx, `document.querySelector("#report-progress").dataset.state === "done"`)
		shot(t, ctx, "08-report")
		href := eval[string](t, ctx, `document.querySelector("#report-download").href`)
		path := text(t, ctx, "#report-path")
		book, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatalf("the report at %s: %v", path, err)
		}
		defer book.Close()
		if got := book.GetSheetList(); strings.Join(got, ",") != "Summary,Events,Changes,Sources" {
			t.Fatalf("sheets %v (Actors unticked)", got)
		}
		rows, _ := book.GetRows("Events")
		total := strings.TrimSuffix(text(t, ctx, "#total"), " events")
		if fmt.Sprint(len(rows)-1) != total {
			t.Fatalf("Events has %d rows, the query %s events", len(rows)-1, total)
		}
		status, err := chromedp.Run(ctx, chromedp.Evaluate[int](`fetch(`+strconv.Quote(href)+`).then(r => r.status)`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if status != 200 {
			t.Fatalf("download: %d", status)
		}
	})

	t.Run("tag, star, note, saved search", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url+"?q=xss.probe"), chromedp.WaitVisible("#events .row"),
			chromedp.Click("#events .row"), chromedp.WaitVisible("#detail #tags"),
			chromedp.Click(`#tags button[data-quick="suspicious"]`))

		waitFor(t, ctx, `!!document.querySelector('#tags .chip[data-tag="suspicious"]')`)
		run(t, ctx, chromedp.Click("#star"))
		waitFor(t, ctx, `document.querySelector("#star").textContent === "★"`)
		waitFor(t, ctx, `!!document.querySelector("#events .row .star-mark")`)
		setInput(t, ctx, "#new-note", "attacker probing the UI")
		run(t, ctx, chromedp.Click("#add-note"))
		waitFor(t, ctx, `!!document.querySelector("#notes") && document.querySelector("#notes").textContent.includes("attacker probing the UI")`)
		// the tag is a facet and a query
		search(t, ctx, "tag:suspicious")
		waitFor(t, ctx, `document.querySelector("#total").textContent === "1 event"`)
		waitFor(t, ctx, `!!document.querySelector('#facets section[data-field="tag"] .facet[data-value="suspicious"]')`)
		// save the search, leave it, come back through the list of saved ones
		run(t, ctx, chromedp.Click("#save-search"), chromedp.WaitVisible("#save-name"))
		setInput(t, ctx, "#save-name", "probes")
		run(t, ctx, chromedp.Click("#save-ok"))
		waitFor(t, ctx, `[...document.querySelectorAll("#saved option")].some(o => o.value === "probes")`)
		search(t, ctx, "")
		waitFor(t, ctx, `document.querySelector("#total").textContent !== "1 event"`)
		setInput(t, ctx, "#saved", "probes")
		waitFor(t, ctx, `document.querySelector("#total").textContent === "1 event"`)
		shot(t, ctx, "09-marks")
		// a name refused is said beside it; a name saved before is replaced
		// only by a button that says so, and can be deleted
		run(t, ctx, chromedp.Click("#save-search"), chromedp.WaitVisible("#save-name"))
		setInput(t, ctx, "#save-name", strings.Repeat("n", 201))
		run(t, ctx, chromedp.Click("#save-ok"))
		waitFor(t, ctx, `!!document.querySelector("#save-error") && document.querySelector("#save-error").textContent.includes("200")`)
		if n := eval[int](t, ctx, `document.querySelectorAll(".fatal").length`); n != 0 {
			t.Fatalf("%s", text(t, ctx, ".fatal"))
		}
		setInput(t, ctx, "#save-name", "probes")
		waitFor(t, ctx, `document.querySelector("#save-ok").textContent === "Replace"`)
		run(t, ctx, chromedp.Click("#save-delete"))
		waitFor(t, ctx, `![...document.querySelectorAll("#saved option")].some(o => o.value === "probes")`)
	})

	t.Run("dark theme and keyboard", func(t *testing.T) {
		run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#events .row"), chromedp.Click("#theme"))
		waitFor(t, ctx, `document.documentElement.dataset.theme === "dark"`)
		run(t, ctx, chromedp.Focus("#events"), chromedp.KeyEvent("j"), chromedp.KeyEvent("j"), chromedp.KeyEvent("\r"))
		run(t, ctx, chromedp.WaitVisible("#detail"))
		if got := eval[string](t, ctx, `document.querySelector("#events .row.sel").dataset.index`); got != "1" {
			t.Fatalf("j j selected row %s, want 1", got)
		}
		// Escape closes the panel
		run(t, ctx, chromedp.KeyEvent(kb.Escape))
		waitFor(t, ctx, `!document.querySelector("#detail")`)
		shot(t, ctx, "07-dark")
	})
}

func itoa(i int) string { return strconv.Itoa(i) }

func twoDigits(i int) string { return fmt.Sprintf("%02d", i) }

// An empty case offers to import or to open the demo.
func TestFirstRun(t *testing.T) {
	if _, err := frontend.Assets().Open("index.html"); err != nil {
		t.Skip("frontend/dist is not built")
	}
	ctx := browser(t)
	url := startServe(t, filepath.Join(t.TempDir(), "empty"))
	run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#welcome"))
	shot(t, ctx, "00-first-run")
	run(t, ctx, chromedp.Click("#open-demo"))
	waitFor(t, ctx, `!!document.querySelector("#events .row")`)
	waitFor(t, ctx, `document.querySelector("#total").textContent === "20,000 events"`)
}

// An import started from the UI can be stopped: what it stored stays and is
// what the case then shows; the same archive again completes it. A report
// can be stopped too, and leaves no file.
func TestStopAnImport(t *testing.T) {
	ctx := browser(t)
	dir := t.TempDir()
	url := startServe(t, filepath.Join(dir, "case"))
	zip := filepath.Join(dir, "trail.zip")
	// Enough events that Stop lands while they are read: 12,000 took under
	// a second once a first import went at ~16k events/s, and Stop came
	// after the last was read.
	const events = 50000
	if err := demo.WriteZip(demo.Options{Events: events, Seed: 9}, zip); err != nil {
		t.Fatal(err)
	}
	run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#welcome"), chromedp.Click("#import"),
		chromedp.WaitVisible("#import-dialog"), chromedp.SetUploadFiles("#upload", []string{zip}), chromedp.Click("#upload-start"),
		chromedp.WaitVisible("#import-progress"))
	waitFor(t, ctx, `parseInt(document.querySelector("#import-events").textContent.replace(/,/g, "")) > 0`)
	run(t, ctx, chromedp.Click("#import-stop"))
	waitFor(t, ctx, `document.querySelector("#import-progress").dataset.state === "stopped"`)
	progress := text(t, ctx, "#import-progress")
	if !strings.Contains(progress, "Stopped") || !strings.Contains(progress, "stopped by the user") || strings.Contains(progress, "Stop\n") {
		t.Fatalf("progress after stopping: %q", progress)
	}
	if eval[bool](t, ctx, `!!document.querySelector("#import-stop")`) {
		t.Fatal("the Stop button is still shown")
	}
	stored, err := strconv.Atoi(strings.ReplaceAll(text(t, ctx, "#import-events"), ",", ""))
	if err != nil || stored <= 0 || stored >= events {
		t.Fatalf("stored %d of %d events (%v)", stored, events, err)
	}
	shot(t, ctx, "07-import-stopped")
	run(t, ctx, chromedp.Click("#import-dialog .box > header button"))
	want := fmt.Sprintf("%d events", stored)
	waitFor(t, ctx, `document.querySelector("#total") && document.querySelector("#total").textContent.replace(/,/g, "") === `+strconv.Quote(want))

	// The same archive again completes the case.
	run(t, ctx, chromedp.Click("#import"), chromedp.WaitVisible("#import-dialog"), chromedp.SetUploadFiles("#upload", []string{zip}),
		chromedp.Click("#upload-start"), chromedp.WaitVisible("#import-progress"))
	waitFor(t, ctx, `document.querySelector("#import-progress").dataset.state === "done"`)
	run(t, ctx, chromedp.Click("#import-dialog .box > header button"))
	waitFor(t, ctx, `document.querySelector("#total").textContent === "50,000 events"`)

	// A report of them, stopped: no file.
	run(t, ctx, chromedp.Click("#report"), chromedp.WaitVisible("#report-dialog"), chromedp.Click("#report-start"),
		chromedp.WaitVisible("#report-stop"), chromedp.Click("#report-stop"))
	waitFor(t, ctx, `document.querySelector("#report-progress").dataset.state === "stopped"`)
	if got := text(t, ctx, "#report-progress"); !strings.Contains(got, "Stopped: no file was written") {
		t.Fatalf("report after stopping: %q", got)
	}
	if left, _ := filepath.Glob(filepath.Join(dir, "case", "reports", "*")); len(left) != 0 {
		t.Fatalf("a stopped report left %v", left)
	}
}

// A case whose search index must be rebuilt (here: removed; in life, made
// by an older auditlens) is served at once: the first page and searches on
// fields come from the database while the index catches up, a search for
// words says how far it is, and once it is done words find their events.
// 40,000 events take this machine ~8 s to index again, a few times what the
// browser needs for the first page.
func TestServeWhileTheIndexIsRebuilt(t *testing.T) {
	if _, err := frontend.Assets().Open("index.html"); err != nil {
		t.Skip("frontend/dist is not built: run scripts/test (or npm run build in frontend/)")
	}
	caseDir := filepath.Join(t.TempDir(), "case")
	cliRun(t, "demo", "--case", caseDir, "--events", "40000", "--seed", "3")
	ctx := browser(t)
	run(t, ctx, chromedp.Navigate("about:blank")) // the browser is up before serve starts
	if err := os.RemoveAll(filepath.Join(caseDir, "index")); err != nil {
		t.Fatal(err)
	}
	url := startServe(t, caseDir)
	run(t, ctx, chromedp.Navigate(url), chromedp.WaitVisible("#events .row"))
	if got := text(t, ctx, "#total"); got != "40,000 events" {
		t.Fatalf("total of the first page: %q", got)
	}
	search(t, ctx, "payments")
	waitFor(t, ctx, `(document.querySelector(".error.banner")?.textContent ?? "").includes("being brought up to date")`)
	banner := text(t, ctx, ".error.banner")
	if !regexp.MustCompile(`\(\d+ of 40000 events\).*searches on fields .* work meanwhile`).MatchString(banner) {
		t.Fatalf("the banner during the rebuild: %q", banner)
	}
	// nothing of the query before it stays on the screen, and nothing breaks
	waitFor(t, ctx, `document.querySelectorAll("#facets li").length === 0 && !document.querySelector("#timeline .legend")?.textContent.includes("40,000") && !document.querySelector("#timeline canvas")`)
	if eval[bool](t, ctx, `!!document.querySelector("pre.fatal")`) {
		t.Fatalf("the screen broke: %q", text(t, ctx, "pre.fatal"))
	}
	shot(t, ctx, "09-index-rebuilding")
	search(t, ctx, "+outcome:failure")
	waitFor(t, ctx, `!document.querySelector(".error.banner") && document.querySelectorAll("#events .row").length > 0`)
	// Once the rebuild is done (asked of the API, as the UI would be), the
	// same search finds the words' events.
	deadline := time.Now().Add(2 * time.Minute)
	var total float64
	for {
		var err error
		total, err = chromedp.Run(ctx, chromedp.Evaluate[float64](`fetch("/api/search?q=payments&limit=1").then((r) => r.ok ? r.json().then((b) => b.total) : -1)`, chromedp.EvalAwaitPromise))
		if err != nil {
			t.Fatal(err)
		}
		if total >= 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the index was not rebuilt in 2 minutes")
		}
		time.Sleep(500 * time.Millisecond)
	}
	if total == 0 {
		t.Fatal("no events for payments after the rebuild")
	}
	search(t, ctx, "payments")
	want := strconv.FormatFloat(total, 'f', 0, 64)
	waitFor(t, ctx, fmt.Sprintf(`!document.querySelector(".error.banner") && document.querySelector("#total").textContent.replaceAll(",", "") === "%s events"`, want))
	shot(t, ctx, "10-index-rebuilt")
}

// A case on write-protected media opens as it is: the screen says so,
// searches answer, and what would write (an import, a tag) is off or
// refused in words.
func TestReadOnlyCase(t *testing.T) {
	if _, err := frontend.Assets().Open("index.html"); err != nil {
		t.Skip("frontend/dist is not built")
	}
	dir := t.TempDir()
	src := filepath.Join(dir, "case")
	cliRun(t, "demo", "--case", src, "--events", "500", "--seed", "5")
	c := protect.WriteProtected(t, dir, src)
	ctx := browser(t)
	url := startServe(t, c)
	run(t, ctx, chromedp.Navigate(url+"?q=payments"), chromedp.WaitVisible("#events .row"), chromedp.WaitVisible("#read-only"))
	if got := text(t, ctx, "#read-only"); !strings.Contains(got, "read-only (write-protected)") {
		t.Errorf("the banner says %q", got)
	}
	if !eval[bool](t, ctx, `document.querySelector("#import").disabled`) {
		t.Error("Import is offered on a read-only case")
	}
	if got := text(t, ctx, "#total"); !strings.HasSuffix(got, " events") || got == "0 events" {
		t.Errorf("a word search on the read-only case: %q", got)
	}
	run(t, ctx, chromedp.Click("#events .row"), chromedp.WaitVisible("#star"))
	if !eval[bool](t, ctx, `["#star", "#new-note", "#add-note", "#save-search"].every(s => document.querySelector(s).matches(":disabled"))`) {
		t.Error("tags, notes or saving a search are offered on a read-only case")
	}
	shot(t, ctx, "read-only-case")
}

// Where a zone's clock goes back, one wall time names two moments: the
// list adds the offset to each, and the detail always gives it.
func TestTimesWhereTheClockGoesBack(t *testing.T) {
	if _, err := frontend.Assets().Open("index.html"); err != nil {
		t.Skip("frontend/dist is not built")
	}
	dir := t.TempDir()
	data := filepath.Join(dir, "dst.ndjson")
	os.WriteFile(data, []byte(`{"time":"2025-10-26T00:30:00Z","user":"a","action":"dst.first"}`+"\n"+
		`{"time":"2025-10-26T01:30:00Z","user":"a","action":"dst.second"}`+"\n"+
		`{"time":"2025-07-01T12:00:00Z","user":"a","action":"summer"}`+"\n"), 0o644)
	c := filepath.Join(dir, "case")
	cliRun(t, "import", "--case", c, data)
	ctx := browser(t)
	url := startServe(t, c)
	run(t, ctx, chromedp.Navigate(url+"?tz=Europe%2FBerlin"), chromedp.WaitVisible("#events .row"))
	got := eval[[]string](t, ctx, `[...document.querySelectorAll("#events .row .c-time")].map(e => e.textContent)`)
	want := []string{"2025-10-26 02:30:00.000 +01:00", "2025-10-26 02:30:00.000 +02:00", "2025-07-01 14:00:00.000"}
	if !slices.Equal(got, want) {
		t.Errorf("the list's times %q, want %q", got, want)
	}
	run(t, ctx, chromedp.Click(`#events .row[data-index="2"]`), chromedp.WaitVisible("#detail"))
	waitFor(t, ctx, `document.querySelector("#detail").textContent.includes("2025-07-01 14:00:00.000 Europe/Berlin (UTC+02:00)")`)

	// A note the server refuses stays in its box, with why; one it takes
	// shows its time in the zone.
	long := strings.Repeat("x", 10001)
	setInput(t, ctx, "#new-note", long)
	run(t, ctx, chromedp.Click("#add-note"))
	waitFor(t, ctx, `document.querySelector("#detail .error")?.textContent.includes("10,000")`)
	if got := eval[int](t, ctx, `document.querySelector("#new-note").value.length`); got != len(long) {
		t.Errorf("the refused note's box holds %d characters", got)
	}
	setInput(t, ctx, "#new-note", "seen on the VPN too")
	run(t, ctx, chromedp.Click("#add-note"))
	waitFor(t, ctx, `!!document.querySelector("#notes li")`)
	id := eval[string](t, ctx, `document.querySelector("#events .row.sel").dataset.id`)
	var ev struct{ Notes []struct{ At time.Time } }
	if err := getJSONURL(url+"/api/events/"+id, &ev); err != nil || len(ev.Notes) != 1 {
		t.Fatalf("the note: %v %+v", err, ev)
	}
	berlin, _ := time.LoadLocation("Europe/Berlin")
	if got := text(t, ctx, "#notes li"); !strings.HasSuffix(got, ev.Notes[0].At.In(berlin).Format("2006-01-02 15:04:05")) {
		t.Errorf("the note reads %q, made at %s", got, ev.Notes[0].At.In(berlin))
	}

	// Escape in the query box leaves it for the list: j then moves there.
	run(t, ctx, chromedp.Click("#query"), chromedp.KeyEvent(kb.Escape), chromedp.KeyEvent("j"))
	if q := eval[string](t, ctx, `document.querySelector("#query").value`); strings.Contains(q, "j") {
		t.Errorf("j went into the query: %q", q)
	}
}

// getJSONURL reads a JSON answer of the API.
func getJSONURL(u string, out any) error {
	res, err := http.Get(u)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	return json.NewDecoder(res.Body).Decode(out)
}
