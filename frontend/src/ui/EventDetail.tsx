import { actorLabel, type AuditEvent, type Target } from "../api";
import { fmtTime } from "../time";
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
}

function Pivot({ field, value, filter, label }: { field: string; value: string; filter: Props["filter"]; label?: string }) {
  if (!value) return <span class="muted">—</span>;
  return <a href="#" class="pivot" data-field={field} title={`Filter on ${field} = ${value}`} onClick={(e) => { e.preventDefault(); filter(field, value); }}>{label ?? value}</a>;
}

export function EventDetail({ ev, tz, filter, around, history, compare, comparing, close }: Props) {
  const rows: [string, preact.ComponentChildren][] = [
    ["Time", <>{fmtTime(ev.time, tz, true)} <span class="muted">{tz}{ev.time_no_zone ? " · the record gave no zone; read as UTC" : ""}</span></>],
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
      <table class="fields"><tbody>{rows.map(([k, v]) => <tr><th>{k}</th><td>{v}</td></tr>)}</tbody></table>
      {ev.changes.length > 0 && <><h3>Changes</h3><div id="diff"><DiffView changes={ev.changes} /></div></>}
      <h3>Raw record</h3>
      <RawTree raw={ev.raw} />
    </section>
  );
}
