// The one API client, used in the desktop window and in a browser alike.

export interface Actor { id: string; name: string; email: string; type: string }
export interface Target { type: string; id: string; name: string }
export interface Change { path: string; before: unknown; after: unknown }
export interface AuditEvent {
  id: string; time: string; format: string;
  source: { id: number; name: string; member: string };
  category: string; action: string; outcome: string; actor: Actor; targets: Target[];
  ip: string; user_agent: string; session: string; request: string; message: string;
  changes: Change[]; raw: unknown;
}
export interface SearchResult { total: number; events: AuditEvent[]; took_ms: number; next?: string }

export interface SearchParams { q: string; from?: string; to?: string; limit?: number; cursor?: string }

function token(): string | null {
  return new URLSearchParams(location.search).get("token");
}

async function get<T>(path: string, params: Record<string, string | undefined>): Promise<T> {
  const u = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) if (v) u.searchParams.set(k, v);
  const t = token();
  if (t) u.searchParams.set("token", t);
  const res = await fetch(u);
  const body = await res.json();
  if (!res.ok) throw new Error(body.error ?? res.statusText);
  return body as T;
}

export function search(p: SearchParams): Promise<SearchResult> {
  return get<SearchResult>("/api/search", { q: p.q, from: p.from, to: p.to, limit: String(p.limit ?? 100), cursor: p.cursor });
}

export function event(id: string): Promise<AuditEvent> {
  return get<AuditEvent>(`/api/events/${encodeURIComponent(id)}`, {});
}
