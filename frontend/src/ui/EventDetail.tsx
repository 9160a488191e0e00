import { useState } from "preact/hooks";
import { actorLabel, api, type AuditEvent, type Target } from "../api";
import { fmtTime, offsetAt } from "../time";
import { DiffView } from "./DiffView";
import { RawTree } from "./RawTree";

interface Props {
  ev: AuditEvent;
  tz: string;
  filter: (field: string, value: string) => void;
  around: (by: "actor" | "session" | "request") => void;
  history: (t: Target) => void;
  compare: () => void;
  comparing: boolean;
  close: () => void;
  changed: (ev: AuditEvent) => void; // tags or notes changed
  readOnly?: boolean; // the case is write-protected: no tags, no notes
}

function Pivot({ field, value, filter, label }: { field: string; value: string; filter: Props["filter"]; label?: string }) {
  if (!value) return <span class="muted">—</span>;
  return <a href="#" class="pivot" data-field={field} title={`Filter on ${field} = ${value}`} onClick={(e) => { e.preventDefault(); filter(field, value); }}>{label ?? value}</a>;
}

// Marks: the star is the tag "starred"; a few tags are one click away.
// A tag or note typed stays in its box until the server has taken it (a
// refusal threw the text away).
function Marks({ ev, tz, changed, filter, readOnly }: { ev: AuditEvent; tz: string; changed: Props["changed"]; filter: Props["filter"]; readOnly?: boolean }) {
  const [tag, setTag] = useState("");
  const [note, setNote] = useState("");
  const [err, setErr] = useState("");
  const starred = ev.tags.includes("starred");
  const apply = (p: Promise<unknown>, done = () => {}) =>
    p.then(() => api.event(ev.id)).then(changed).then(() => { setErr(""); done(); }).catch((e: Error) => setErr(e.message));
  const off = readOnly ? "The case is read-only: copy its folder somewhere writable to tag and take notes" : undefined;
  return (
    <fieldset class="marks" disabled={readOnly} title={off}>
      <div class="tags" id="tags">
        <button class={`small star${starred ? " on" : ""}`} id="star" title={starred ? "Unstar" : "Star"} onClick={() => apply(api.tag(ev.id, "starred", starred))}>{starred ? "★" : "☆"}</button>
        {ev.tags.filter((t) => t !== "starred").map((t) => (
          <span class="chip" data-tag={t}><a href="#" onClick={(e) => { e.preventDefault(); filter("tag", t); }}>{t}</a>
            <button class="x" aria-label={`Remove ${t}`} onClick={() => apply(api.tag(ev.id, t, true))}>×</button></span>
        ))}
        {["suspicious", "benign"].filter((t) => !ev.tags.includes(t)).map((t) => (
          <button class="small" data-quick={t} onClick={() => apply(api.tag(ev.id, t))}>+ {t}</button>
        ))}
        <form onSubmit={(e) => { e.preventDefault(); if (tag.trim()) apply(api.tag(ev.id, tag.trim()), () => setTag("")); }}>
          <input id="new-tag" value={tag} placeholder="tag…" size={10} onInput={(e) => setTag((e.target as HTMLInputElement).value)} />
        </form>
      </div>
      {ev.notes && ev.notes.length > 0 && <ul class="notes" id="notes">{ev.notes.map((n) => <li>{n.text}{n.at && <span class="muted"> · {fmtTime(n.at, tz)}</span>}</li>)}</ul>}
      <form class="note-form" onSubmit={(e) => { e.preventDefault(); if (note.trim()) apply(api.note(ev.id, note.trim()), () => setNote("")); }}>
        <textarea id="new-note" rows={2} value={note} placeholder="Add a note…" onInput={(e) => setNote((e.target as HTMLTextAreaElement).value)} />
        <button class="small" type="submit" id="add-note">Add note</button>
      </form>
      {err && <p class="error">{err}</p>}
    </fieldset>
  );
}

export function EventDetail({ ev, tz, filter, around, history, compare, comparing, close, changed, readOnly }: Props) {
  const rows: [string, preact.ComponentChildren][] = [
    ["Time", <>{fmtTime(ev.time, tz, true)} <span class="muted">{tz === "UTC" ? "UTC" : `${tz === "local" ? "local" : tz} (UTC${offsetAt(Date.parse(ev.time), tz)})`}{ev.time_no_zone ? " · the record gave no zone; read as UTC" : ""}</span></>],
    ["Actor", <><Pivot field="actor.label" value={actorLabel(ev.actor)} filter={filter} /> {ev.actor.name && ev.actor.email ? <span class="muted">{ev.actor.name}</span> : null} <span class="muted">{ev.actor.type}{ev.actor.id && ev.actor.id !== actorLabel(ev.actor) ? ` · ${ev.actor.id}` : ""}</span></>],
    ["Action", <Pivot field="action" value={ev.action} filter={filter} />],
    ["Category", <Pivot field="category" value={ev.category} filter={filter} />],
    ["Outcome", <span class={ev.outcome}><Pivot field="outcome" value={ev.outcome} filter={filter} /></span>],
    ["Targets", ev.targets.length ? <ul class="targets">{ev.targets.map((t) => (
      <li><span class="muted">{t.type}</span> <Pivot field={t.id ? "targets.id" : "targets.name"} value={t.id || t.name} label={t.name || t.id} filter={filter} />
        {" "}<a href="#" class="history-link" onClick={(e) => { e.preventDefault(); history(t); }}>history</a></li>))}</ul> : <span class="muted">—</span>],
    ["IP", <Pivot field="ip" value={ev.ip} filter={filter} />],
    ["User agent", ev.user_agent || <span class="muted">—</span>],
    ["Session", <Pivot field="session" value={ev.session} filter={filter} />],
    ["Request", <Pivot field="request" value={ev.request} filter={filter} />],
    ["Message", ev.message],
    ["Format", <Pivot field="format" value={ev.format} filter={filter} />],
    ["Source", <>{ev.source.name}{ev.source.member ? ` › ${ev.source.member}` : ""}</>],
  ];
  return (
    <section class="detail" id="detail" data-id={ev.id}>
      <header>
        <h2>{ev.action}</h2>
        <button class="small" onClick={close} aria-label="Close">✕</button>
      </header>
      <div class="actions">
        <button class="small" id="around-actor" onClick={() => around("actor")} disabled={!actorLabel(ev.actor)}>Same actor ±15 min</button>
        <button class="small" id="around-session" onClick={() => around("session")} disabled={!ev.session}>Same session</button>
        <button class="small" id="around-request" onClick={() => around("request")} disabled={!ev.request}>Same request</button>
        <button class={`small${comparing ? " on" : ""}`} id="compare" onClick={compare}>{comparing ? "Pick an event to compare…" : "Compare with…"}</button>
      </div>
      <Marks ev={ev} tz={tz} changed={changed} filter={filter} readOnly={readOnly} />
      <table class="fields"><tbody>{rows.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}</tbody></table>
      {ev.changes.length > 0 && <><h3>Changes</h3><div id="diff"><DiffView changes={ev.changes} /></div></>}
      <h3>Raw record</h3>
      <RawTree raw={ev.raw} />
    </section>
  );
}
