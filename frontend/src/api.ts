// The one API client, used in the desktop window and in a browser alike.

export interface Actor { id: string; name: string; email: string; type: string }
export interface Target { type: string; id: string; name: string }
export interface Change { path: string; before: unknown; after: unknown }
export interface AuditEvent {
  id: string; time: string; format: string;
  source: { id: number; name: string; member: string };
  category: string; action: string; outcome: string; actor: Actor; targets: Target[];
  ip: string; user_agent: string; session: string; request: string; message: string;
  changes: Change[]; raw: unknown; time_no_zone?: boolean;
  raw_sha256?: string; tags: string[]; notes?: { id?: number; text: string; at?: string }[];
}
export interface SavedSearch { name: string; q: string; from: string; to: string }
export interface CaseInfo { name: string; read_only: boolean; words_refused?: string }
export interface SearchResult { total: number; events: AuditEvent[]; took_ms: number; next?: string }
export interface Facet { field: string; total: number; other: number; top: { value: string; count: number }[] }
export interface Histogram { bucket: string; edges: string[]; stack: string; series: Record<string, number[]>; total: number }
export interface HistoryEntry { event: AuditEvent; changes: Change[] }
export interface RecordError { line: number; message: string }
export interface SourceResult {
  path: string; member: string; sha256: string; format: string; events: number;
  duplicates: number; rejected: number; errors: RecordError[]; failed?: string;
}
export interface ImportJob {
  id: string; state: "running" | "done" | "stopped" | "failed"; paths: string[];
  progress: { sources: number; events: number; duplicates: number; rejected: number; elapsed_ns: number; waiting?: string };
  rate: number; error?: string;
  summary?: { events: number; duplicates: number; rejected: number; sources: SourceResult[]; failures?: string[] };
}

export interface Range { q: string; from?: string; to?: string }
export interface ReportJob { id: string; state: "running" | "done" | "stopped" | "failed"; path: string; written: number; total: number; error?: string }

export function actorLabel(a: Actor): string {
  return a.email || a.name || a.id;
}

function withToken(u: URL) {
  const t = new URLSearchParams(location.search).get("token");
  if (t) u.searchParams.set("token", t);
  return u;
}

async function call<T>(path: string, params: Record<string, string | undefined> = {}, init?: RequestInit): Promise<T> {
  const u = new URL(path, location.href); // href, not origin: the window's wails:// scheme has an opaque origin
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== "") u.searchParams.set(k, v);
  // Changes carry X-Auditlens: a page of another site cannot set it.
  const headers = new Headers(init?.headers);
  if (init?.method && init.method !== "GET") headers.set("X-Auditlens", "1");
  const res = await fetch(withToken(u), { ...init, headers });
  const text = await res.text();
  let body: { error?: string } | undefined;
  try { body = JSON.parse(text); } catch { /* a reply that is not ours (a proxy's, a 431) */ }
  if (!res.ok) throw new Error(body?.error ?? `the server answered ${res.status} ${res.statusText || text.slice(0, 120)}`.trim());
  if (body === undefined) throw new Error(`the server's answer is not JSON: ${text.slice(0, 120)}`);
  return body as T;
}

const rangeParams = (r: Range) => ({ q: r.q, from: r.from, to: r.to });

export const api = {
  caseInfo: () => call<CaseInfo>("/api/case"),
  search: (r: Range, limit = 200, cursor?: string) =>
    // raw=0: the list shows no raw records; an event's own view reads its record.
    call<SearchResult>("/api/search", { ...rangeParams(r), limit: String(limit), cursor, raw: "0" }),
  facets: (r: Range) => call<Facet[]>("/api/facets", { ...rangeParams(r), size: "8" }),
  // tz: the zone whose days and hours the buckets are, as the axis shows them
  histogram: (r: Range, stack: string, tz: string, buckets = 120) =>
    call<Histogram>("/api/histogram", { ...rangeParams(r), stack, tz, buckets: String(buckets) }),
  event: (id: string) => call<AuditEvent>(`/api/events/${encodeURIComponent(id)}`),
  around: (id: string, by: string) => call<SearchResult>(`/api/events/${encodeURIComponent(id)}/around`, { by }),
  history: (t: Target) => call<HistoryEntry[]>("/api/history", { type: t.type, id: t.id, name: t.id ? "" : t.name }),
  compare: (a: string, b: string) => call<{ changes: Change[] }>("/api/compare", { a, b }),
  importFiles: (files: FileList | File[]) => {
    const fd = new FormData();
    for (const f of Array.from(files)) fd.append("files", f, f.name);
    return call<ImportJob>("/api/imports", {}, { method: "POST", body: fd });
  },
  importPaths: (paths: string[]) =>
    call<ImportJob>("/api/imports", {}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ paths }) }),
  importDemo: (events: number) =>
    call<ImportJob>("/api/demo", {}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ events }) }),
  job: (id: string) => call<ImportJob>(`/api/imports/${encodeURIComponent(id)}`),
  stopImport: (id: string) => call<ImportJob>(`/api/imports/${encodeURIComponent(id)}/stop`, {}, { method: "POST" }),
  startReport: (r: Range, tz: string, sheets: string[], path?: string) =>
    call<ReportJob>("/api/reports", {}, { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ q: r.q, from: r.from ?? "", to: r.to ?? "", tz, sheets, path: path ?? "" }) }),
  tag: (id: string, tag: string, remove = false) =>
    call<AuditEvent>(`/api/events/${encodeURIComponent(id)}/tags`, {}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ tag, remove }) }),
  note: (id: string, text: string) =>
    call<{ id: number }>(`/api/events/${encodeURIComponent(id)}/notes`, {}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ text }) }),
  saved: () => call<SavedSearch[]>("/api/saved"),
  saveSearch: (s: SavedSearch) =>
    call<SavedSearch>("/api/saved", {}, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(s) }),
  deleteSearch: (name: string) => call<unknown>(`/api/saved/${encodeURIComponent(name)}`, {}, { method: "DELETE" }),
  report: (id: string) => call<ReportJob>(`/api/reports/${encodeURIComponent(id)}`),
  stopReport: (id: string) => call<ReportJob>(`/api/reports/${encodeURIComponent(id)}/stop`, {}, { method: "POST" }),
  // exportURL downloads the events of r as csv or ndjson (a browser);
  // exportTo writes them where the window's save dialog chose.
  exportURL: (r: Range, format: string) => {
    const u = new URL("/api/export", location.href);
    for (const [k, v] of Object.entries({ ...rangeParams(r), format })) if (v) u.searchParams.set(k, v);
    return withToken(u).toString();
  },
  exportTo: (r: Range, format: string, path: string) =>
    call<{ events: number; path: string }>("/api/export", { ...rangeParams(r), format, path }, { method: "POST" }),
  reportURL: (id: string) => withToken(new URL(`/api/reports/${encodeURIComponent(id)}/file`, location.href)).toString(),
};
