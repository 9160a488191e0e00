import { useEffect, useState } from "preact/hooks";
import { search, type SearchResult } from "./api";

// A first screen: a query bar and the newest matching events. Every value is
// rendered as text (Preact escapes it): audit data is hostile.
export function App() {
  const initial = new URLSearchParams(location.search).get("q") ?? "";
  const [q, setQ] = useState(initial);
  const [res, setRes] = useState<SearchResult | null>(null);
  const [err, setErr] = useState("");

  const run = (query: string) => {
    const u = new URL(location.href);
    u.searchParams.set("q", query);
    history.replaceState(null, "", u);
    search({ q: query, limit: 200 })
      .then((r) => { setRes(r); setErr(""); })
      .catch((e: Error) => setErr(e.message));
  };
  useEffect(() => run(initial), []);

  return (
    <main>
      <header>
        <h1>auditlens</h1>
        <form onSubmit={(e) => { e.preventDefault(); run(q); }}>
          <input id="query" value={q} placeholder="actor.email:alice@example.com  +outcome:failure  &quot;escalation policy&quot;"
            onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
          <button type="submit">Search</button>
        </form>
      </header>
      {err && <p class="error" role="alert">{err}</p>}
      {res && <p id="total">{res.total} events</p>}
      <table id="events">
        <thead><tr><th>Time (UTC)</th><th>Actor</th><th>Action</th><th>Target</th><th>Outcome</th><th>IP</th></tr></thead>
        <tbody>
          {res?.events.map((e) => (
            <tr key={e.id} data-id={e.id}>
              <td>{e.time.replace("T", " ").replace("Z", "")}</td>
              <td class="actor">{e.actor.email || e.actor.name || e.actor.id}</td>
              <td>{e.action}</td>
              <td>{e.targets.map((t) => t.name || t.id).join(", ")}</td>
              <td class={e.outcome}>{e.outcome}</td>
              <td>{e.ip}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </main>
  );
}
