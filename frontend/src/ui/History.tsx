import { useEffect, useState } from "preact/hooks";
import { actorLabel, api, type AuditEvent, type Change, type HistoryEntry, type Target } from "../api";
import { fmtTime } from "../time";
import { DiffView } from "./DiffView";

// History shows every event that touched one resource, oldest first, each
// with what it changed: who changed this, when, and what it was before.
// The API gives a history's newest historyLimit events; a longer one says
// so, and offers the search of all of them.
const historyLimit = 1000;

export function History({ target, tz, open, close, searchAll }: { target: Target; tz: string; open: (id: string) => void; close: () => void; searchAll: () => void }) {
  const [entries, setEntries] = useState<HistoryEntry[] | null>(null);
  const [err, setErr] = useState("");
  useEffect(() => {
    setEntries(null);
    api.history(target).then(setEntries).catch((e: Error) => setErr(e.message));
  }, [target.type, target.id, target.name]);
  return (
    <section class="detail history" id="history">
      <header>
        <h2>History of {target.type} {target.name || target.id}</h2>
        <button class="small" onClick={close} aria-label="Close">✕</button>
      </header>
      {err && <p class="error">{err}</p>}
      {entries && entries.length < historyLimit && <p class="muted">{entries.length} events, oldest first</p>}
      {entries && entries.length >= historyLimit && (
        <p class="hint banner" id="history-cut">Only the newest {historyLimit.toLocaleString()} events are shown, oldest first: older ones,
          its creation among them, are left out. <a href="#" id="history-all" onClick={(e) => { e.preventDefault(); searchAll(); }}>List every event of it</a></p>
      )}
      <ol class="timeline-list">
        {entries?.map((h) => (
          <li data-id={h.event.id}>
            <div class="when">
              <a href="#" onClick={(e) => { e.preventDefault(); open(h.event.id); }}>{fmtTime(h.event.time, tz, true)}</a>
              {" "}<strong>{actorLabel(h.event.actor)}</strong> {h.event.action}
              {h.event.outcome === "failure" && <span class="failure"> (failed)</span>}
            </div>
            {h.changes.length > 0 ? <DiffView changes={h.changes} /> : <p class="muted small">{h.event.message}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}

// Compare diffs two events' records, the older as "before", and says
// which two they are.
export function Compare({ a, b, tz, close, open }: { a: string; b: string; tz: string; close: () => void; open: (id: string) => void }) {
  const [pair, setPair] = useState<[AuditEvent, AuditEvent] | null>(null);
  const [changes, setChanges] = useState<Change[] | null>(null);
  const [err, setErr] = useState("");
  useEffect(() => {
    setPair(null); setChanges(null);
    Promise.all([api.event(a), api.event(b)]).then(([x, y]) => {
      const [older, newer] = Date.parse(x.time) <= Date.parse(y.time) ? [x, y] : [y, x];
      setPair([older, newer]);
      return api.compare(older.id, newer.id);
    }).then((r) => setChanges(r.changes)).catch((e: Error) => setErr(e.message));
  }, [a, b]);
  const which = (label: string, ev: AuditEvent) => (
    <li><strong>{label}</strong> <a href="#" onClick={(e) => { e.preventDefault(); open(ev.id); }}>{fmtTime(ev.time, tz, true)}</a>{" "}
      {actorLabel(ev.actor)} {ev.action}</li>
  );
  return (
    <section class="detail" id="comparison">
      <header><h2>Two records compared</h2><button class="small" onClick={close} aria-label="Close">✕</button></header>
      {err && <p class="error">{err}</p>}
      {pair && <ul class="targets" id="compared">{which("Before (older):", pair[0])}{which("After (newer):", pair[1])}</ul>}
      {changes && <DiffView changes={changes} />}
    </section>
  );
}
