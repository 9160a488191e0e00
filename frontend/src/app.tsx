import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { api, type AuditEvent, type CaseInfo, type Facet, type Histogram, type ImportJob, type Range, type Target } from "./api";
import { useView } from "./state";
import { QueryBar } from "./ui/QueryBar";
import { Facets } from "./ui/Facets";
import { addTerm, ignored, required } from "./query";
import { Timeline } from "./ui/Timeline";
import { EventList } from "./ui/EventList";
import { EventDetail } from "./ui/EventDetail";
import { Compare, History } from "./ui/History";
import { ImportDialog } from "./ui/ImportDialog";
import { ReportDialog } from "./ui/ReportDialog";
import { terms } from "./ui/highlight";
import { fmtTime, ianaZone } from "./time";
import { hasHidden } from "./visible";

const SEP = "\u0001";

export function App() {
  const [view, set] = useView();
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [total, setTotal] = useState(-1);
  const [next, setNext] = useState<string | undefined>();
  const [facets, setFacets] = useState<Facet[]>([]);
  const [hist, setHist] = useState<Histogram | null>(null);
  const [detail, setDetail] = useState<AuditEvent | null>(null);
  const [err, setErr] = useState("");
  const [importing, setImporting] = useState(false);
  const [reporting, setReporting] = useState(false);
  const [comparing, setComparing] = useState(false);
  const [theme, setTheme] = useState(() => localStorage.getItem("auditlens.theme") ?? (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light"));
  const [tick, setTick] = useState(0); // bumps to refresh while an import runs
  const [marked, setMarked] = useState(0); // bumps when a tag changes: counts, not the list
  const loading = useRef(false);
  const [info, setInfo] = useState<CaseInfo | null>(null);
  useEffect(() => { api.caseInfo().then(setInfo).catch(() => {}); }, []);

  // Set during render, before child effects (the chart) read the theme's colours.
  document.documentElement.dataset.theme = theme;
  useEffect(() => localStorage.setItem("auditlens.theme", theme), [theme]);

  const range: Range = { q: view.q, from: view.from || undefined, to: view.to || undefined };
  const key = `${view.q}|${view.from}|${view.to}`;
  useEffect(() => {
    let stale = false;
    api.search(range, 200).then((r) => {
      if (stale) return;
      setEvents(r.events); setTotal(r.total); setNext(r.next); setErr("");
    }).catch((e: Error) => { if (!stale) { setErr(e.message); setEvents([]); setTotal(-1); setNext(undefined); } });
    return () => { stale = true; };
  }, [key, tick]);
  useEffect(() => {
    let stale = false;
    // A query that fails (words while the index is rebuilt) shows no counts
    // of the one before it.
    api.facets(range).then((f) => !stale && setFacets(f)).catch(() => !stale && setFacets([]));
    return () => { stale = true; };
  }, [key, tick, marked]);
  useEffect(() => {
    let stale = false;
    api.histogram(range, view.stack, ianaZone(view.tz)).then((h) => !stale && setHist(h)).catch(() => !stale && setHist(null));
    return () => { stale = true; };
  }, [key, view.stack, view.tz, tick, marked]);
  useEffect(() => {
    if (!view.sel) { setDetail(null); return; }
    let stale = false; // (j j: the first event's answer may come last)
    api.event(view.sel).then((ev) => !stale && setDetail(ev)).catch((e: Error) => !stale && setErr(e.message));
    return () => { stale = true; };
  }, [view.sel]);

  const current = useRef(key);
  current.current = key;
  const loadMore = useCallback(() => {
    if (!next || loading.current) return;
    loading.current = true;
    const asked = key; // a page of a search left meanwhile is not this one's
    api.search(range, 500, next).then((r) => {
      if (asked !== current.current) return;
      setEvents((es) => [...es, ...r.events]); setNext(r.next);
    }).catch((e: Error) => asked === current.current && setErr(e.message)).finally(() => { loading.current = false; });
  }, [next, key]);

  const filter = (field: string, value: string, negate = false) => set({ q: addTerm(view.q, field, value, negate), sel: "", panel: "" });
  const select = (id: string, open: boolean) => {
    if (comparing && view.sel && id !== view.sel) { setComparing(false); set({ cmp: id, panel: "compare" }); return; }
    set({ sel: id, ...(open ? { panel: "event" } : {}) });
  };
  const around = (by: "actor" | "session" | "request") => {
    if (!detail) return;
    if (by === "actor") {
      const t = Date.parse(detail.time);
      set({ q: addTerm("", "actor.label", detail.actor.email || detail.actor.name || detail.actor.id, false),
        from: new Date(t - 15 * 60e3).toISOString(), to: new Date(t + 15 * 60e3 + 1).toISOString() });
    } else {
      set({ q: addTerm("", by, by === "session" ? detail.session : detail.request, false), from: "", to: "" });
    }
  };
  // Escape closes what lies on top: a dialog, else the panel.
  const top = useRef<() => void>(() => {});
  top.current = reporting ? () => setReporting(false) : importing ? () => { setImporting(false); setTick((x) => x + 1); }
    : view.panel ? () => { setComparing(false); set({ panel: (view.panel === "history" || view.panel === "compare") && view.sel ? "event" : "", target: "", cmp: "" }); } : () => {};
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      // (not while typing: Escape in the note threw the note away with the panel)
      if (e.key !== "Escape" || e.isComposing || e.defaultPrevented) return;
      // Escape in the query box leaves it for the list (j, k), as / enters it.
      if (t.id === "query") { (t as HTMLInputElement).blur(); return; }
      if (!t.closest(".modal") && ["INPUT", "TEXTAREA", "SELECT"].includes(t.tagName)) return; // (a dialog closes from any of its fields)
      top.current();
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  const openHistory = (t: Target) => set({ panel: "history", target: [t.type, t.id, t.name].join(SEP) });
  const [tt, tid, tname] = view.target.split(SEP);
  const [running, setRunning] = useState<ImportJob | null>(null); // an import the dialog follows
  const onProgress = (j: ImportJob) => { setTick((x) => x + 1); setRunning(j.state === "running" ? j : null); };
  const ignoredClauses = ignored(view.q);
  const empty = total === 0 && !view.q && !view.from && !view.to;

  return (
    <div class="app">
      <QueryBar view={view} set={set} importing={running ? running.progress.events : undefined} readOnly={info?.read_only} onImport={() => setImporting(true)} onReport={() => setReporting(true)} theme={theme}
        toggleTheme={() => setTheme(theme === "dark" ? "light" : "dark")} />
      {info?.read_only && (
        <p class="hint banner" id="read-only">
          This case is read-only (write-protected): it is read as it is and nothing is written into it, so importing, tags,
          notes and saved searches are off, and reports and exports are not recorded in its activity log.
          {info.words_refused && <> {info.words_refused}.</>}
        </p>
      )}
      {err && <p class="error banner" role="alert">{err}</p>}
      {hasHidden(view.q) && (
        <p class="hint banner" id="hidden-in-query">The query holds characters that draw nothing or turn text around: <code>{view.q}</code></p>
      )}
      {ignoredClauses.length > 0 && (
        <p class="hint banner" id="ignored">
          Beside a +term a word without + or − is optional, so this search ignores{" "}
          {ignoredClauses.map((c, i) => <>{i > 0 && " "}<code>{c}</code></>)}.{" "}
          <button class="small" id="require" onClick={() => set({ q: required(view.q), sel: "" })}>Require {ignoredClauses.length === 1 ? "it" : "them"}</button>
        </p>
      )}
      {empty ? (
        <main class="welcome" id="welcome">
          <h1>An empty case</h1>
          <p>Import audit exports — CloudTrail, Okta, GitHub, Kubernetes, Entra ID, Microsoft 365, Google, Slack, auditd, or any JSON/CSV — or look around a demo case first.</p>
          <p><button onClick={() => setImporting(true)} disabled={info?.read_only}>Import files…</button>{" "}
            <button id="open-demo" disabled={info?.read_only} onClick={() => api.importDemo(20000).then(() => { setImporting(false); const t = setInterval(() => setTick((x) => x + 1), 1000); setTimeout(() => clearInterval(t), 60000); })}>Open the demo case</button></p>
        </main>
      ) : (
        <div class="main">
          <Facets facets={facets} onPick={(f, v, neg) => filter(f, v, neg)} />
          <div class="center">
            <div class="summary">
              <span id="total">{total >= 0 ? `${total.toLocaleString()} event${total === 1 ? "" : "s"}` : err ? "—" : "…"}</span>
              {(view.from || view.to) && <button class="small" id="reset-range" onClick={() => set({ from: "", to: "" })}>Reset range</button>}
              <span class="muted" id="range-shown">{view.from && `from ${fmtTime(view.from, view.tz, true)}`} {view.to && `to ${fmtTime(view.to, view.tz, true)}`}{(view.from || view.to) && ` ${view.tz === "local" ? "local time" : view.tz}`}</span>
              <label class="stack">Stack by <select id="stack" value={view.stack} onChange={(e) => set({ stack: (e.target as HTMLSelectElement).value as "category" | "outcome" })}>
                <option value="category">category</option><option value="outcome">outcome</option></select></label>
            </div>
            <Timeline hist={hist} tz={view.tz} theme={theme} onZoom={(from, to) => set({ from, to, sel: "" })} />
            {total === 0 && !err && <p class="muted banner" id="no-match">No event matches{view.q ? <> <code>{view.q}</code></> : ""}{view.from || view.to ? " in this range" : ""}.</p>}
            <EventList events={events} total={total} hasMore={!!next} loadMore={loadMore} selected={view.sel}
              select={select} tz={view.tz} hits={terms(view.q)} />
          </div>
          {view.panel === "event" && detail && (
            <EventDetail ev={detail} tz={view.tz} readOnly={info?.read_only} filter={(f, v) => filter(f, v)} around={around} history={openHistory}
              compare={() => setComparing(!comparing)} comparing={comparing} close={() => set({ panel: "", sel: "" })}
              changed={(ev) => { setDetail(ev); setEvents((es) => es.map((e) => e.id === ev.id ? { ...e, tags: ev.tags } : e)); setMarked((x) => x + 1); }} />
          )}
          {view.panel === "history" && view.target && (
            <History target={{ type: tt, id: tid ?? "", name: tname ?? "" }} tz={view.tz}
              open={(id) => set({ sel: id, panel: "event" })} close={() => set({ panel: view.sel ? "event" : "", target: "" })}
              searchAll={() => {
                let q = tid ? addTerm("", "targets.id", tid, false) : addTerm("", "targets.name", tname ?? "", false);
                if (tt) q = addTerm(q, "targets.type", tt, false);
                set({ q, from: "", to: "", panel: "", target: "" });
              }} />
          )}
          {view.panel === "compare" && view.sel && view.cmp && (
            <Compare a={view.sel} b={view.cmp} tz={view.tz} close={() => set({ panel: "event", cmp: "" })} open={(id) => set({ sel: id, panel: "event", cmp: "" })} />
          )}
        </div>
      )}
      {reporting && <ReportDialog range={range} tz={view.tz} close={() => setReporting(false)} />}
      {(importing || running) && <ImportDialog hidden={!importing} close={() => { setImporting(false); setTick((x) => x + 1); }} onProgress={onProgress} />}
    </div>
  );
}
