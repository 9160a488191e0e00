// The raw record as a collapsible tree; values are text nodes, never HTML.

function Node({ k, v, depth }: { k: string; v: unknown; depth: number }) {
  if (v !== null && typeof v === "object") {
    const entries = Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>);
    return (
      <details open={depth < 2}>
        <summary><span class="k">{k}</span> <span class="muted">{Array.isArray(v) ? `[${entries.length}]` : `{${entries.length}}`}</span></summary>
        <div class="children">{entries.map(([ck, cv]) => <Node k={ck} v={cv} depth={depth + 1} />)}</div>
      </details>
    );
  }
  return (
    <div class="leaf"><span class="k">{k}</span>: <span class={`v ${v === null ? "null" : typeof v}`}>{v === null ? "null" : String(v)}</span></div>
  );
}

export function RawTree({ raw }: { raw: unknown }) {
  const copy = () => navigator.clipboard?.writeText(typeof raw === "string" ? raw : JSON.stringify(raw, null, 2));
  return (
    <div class="raw">
      <button class="small" id="copy-raw" onClick={copy}>Copy</button>
      {typeof raw === "string" ? <pre>{raw}</pre> : <Node k="record" v={raw} depth={0} />}
    </div>
  );
}
