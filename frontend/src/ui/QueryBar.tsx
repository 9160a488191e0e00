import { useEffect, useRef, useState } from "preact/hooks";
import { api, type SavedSearch } from "../api";
import type { View } from "../state";
import { presets, zoneLabel, zones } from "../time";

interface Props {
  view: View;
  set: (p: Partial<View>) => void;
  onImport: () => void;
  importing?: number; // events stored by an import running, its dialog closed
  readOnly?: boolean; // the case is write-protected: nothing can be imported
  onReport: () => void;
  theme: string;
  toggleTheme: () => void;
}

const examples = [
  ["actor.email:mila.krueger@acme.io", "one actor (of the demo case)"],
  ["+outcome:failure +category:access", "failed logins"],
  ['"payments primary"', "a phrase, inside one value"],
  ["action:user.role*", "a wildcard"],
  ["+category:configuration -actor.type:system", "changes by people"],
  ["admin", "free text in messages, names and raw records"],
];

export function QueryBar({ view, set, importing, readOnly, onImport, onReport, theme, toggleTheme }: Props) {
  const [q, setQ] = useState(view.q);
  const [saved, setSaved] = useState<SavedSearch[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const loadSaved = () => api.saved().then(setSaved).catch(() => {});
  useEffect(() => { loadSaved(); }, []);
  const [naming, setNaming] = useState<string | null>(null);
  const [saveErr, setSaveErr] = useState("");
  const named = naming !== null && saved.some((s) => s.name === naming.trim());
  // A refused name keeps the form open with why; a name saved before is
  // replaced only when the button says so ("Replace"), and can be deleted.
  const done = (p: Promise<unknown>) => p.then(() => { setNaming(null); setSaveErr(""); loadSaved(); })
    .catch((e: Error) => setSaveErr(e.message));
  const save = (name: string) => {
    if (!name.trim()) { setNaming(null); setSaveErr(""); return; }
    done(api.saveSearch({ name: name.trim(), q: view.q, from: view.from, to: view.to }));
  };
  useEffect(() => setQ(view.q), [view.q]);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      if (e.key === "/" && t.tagName !== "INPUT" && t.tagName !== "TEXTAREA" && t.tagName !== "SELECT") {
        e.preventDefault();
        input.current?.focus();
      }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, []);
  // "Last 24 hours of data" ends at the case's newest event, whatever the
  // query and the range shown (an exported trail ends when it was exported).
  const preset = (ms: number) => api.search({ q: "" }, 1).then((r) => {
    const end = r.events[0] ? new Date(Date.parse(r.events[0].time) + 1) : new Date();
    set({ from: new Date(end.getTime() - ms).toISOString(), to: end.toISOString(), sel: "" });
  }).catch(() => {});
  return (
    <header class="bar">
      <span class="brand">auditlens</span>
      <form class="query" onSubmit={(e) => { e.preventDefault(); set({ q, sel: "" }); }}>
        <input id="query" ref={input} value={q} spellcheck={false} autocomplete="off"
          placeholder='Search: +actor.email:mila.krueger@acme.io +outcome:failure   "payments primary"   (press / )'
          onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        <details class="help">
          <summary title="Query syntax">?</summary>
          <div class="popover">
            <p>Bleve query syntax over the normalized fields; words without a field search messages and raw records. <code>+</code> must match, <code>-</code> must not; a clause with neither is optional once another has <code>+</code> (there is no AND, OR or NOT).</p>
            <ul>{examples.map(([ex, what]) => (
              <li><a href="#" onClick={(e) => { e.preventDefault(); setQ(ex); set({ q: ex, sel: "" }); }}><code>{ex}</code></a> {what}</li>
            ))}</ul>
            <p class="muted">Fields: time format category action outcome actor.id actor.name actor.email actor.type actor.label targets.type targets.id targets.name ip user_agent session request message source tag text</p>
          </div>
        </details>
        <button type="submit">Search</button>
      </form>
      <select id="range" aria-label="Time range" value="" onChange={(e) => {
        const v = (e.target as HTMLSelectElement).value;
        if (v === "all") set({ from: "", to: "", sel: "" });
        else if (v) preset(Number(v));
      }}>
        <option value="">{view.from || view.to ? "Custom range" : "All time"}</option>
        <option value="all">All time</option>
        {presets.map((p) => <option value={String(p.ms)}>Last {p.label} of data</option>)}
      </select>
      <select id="saved" aria-label="Saved searches" value="" onChange={(e) => {
        const s = saved.find((x) => x.name === (e.target as HTMLSelectElement).value);
        if (s) set({ q: s.q, from: s.from, to: s.to, sel: "" });
      }}>
        <option value="">Saved ({saved.length})</option>
        {saved.map((s) => <option value={s.name}>{s.name}</option>)}
      </select>
      {naming === null
        ? <button type="button" id="save-search" title={readOnly ? "The case is read-only: searches cannot be saved in it" : "Save this search"} disabled={readOnly} onClick={() => setNaming(view.q)}>Save…</button>
        : <form class="save-name" onSubmit={(e) => { e.preventDefault(); save(naming); }}>
            <input id="save-name" value={naming} placeholder="name" size={14} autoFocus onInput={(e) => setNaming((e.target as HTMLInputElement).value)} />
            <button type="submit" id="save-ok">{named ? "Replace" : "Save"}</button>
            {named && <button type="button" id="save-delete" onClick={() => done(api.deleteSearch(naming.trim()))}>Delete</button>}
            <button type="button" class="small" title="Cancel" onClick={() => { setNaming(null); setSaveErr(""); }}>×</button>
            {saveErr && <span class="error" id="save-error" role="alert">{saveErr}</span>}
          </form>}
      <select id="tz" aria-label="Time zone" value={view.tz} onChange={(e) => set({ tz: (e.target as HTMLSelectElement).value })}>
        {(zones().includes(view.tz) ? zones() : [view.tz, ...zones()]).map((z) => <option value={z}>{zoneLabel(z)}</option>)}
      </select>
      <button type="button" id="import" onClick={onImport} disabled={readOnly} title={readOnly ? "The case is read-only: copy its folder somewhere writable to import into it" : undefined}>{importing === undefined ? "Import…" : `Importing… ${importing.toLocaleString()}`}</button>
      <button type="button" id="report" onClick={onReport}>Report…</button>
      <button type="button" id="theme" title="Dark or light" onClick={toggleTheme}>{theme === "dark" ? "☀" : "☾"}</button>
    </header>
  );
}
