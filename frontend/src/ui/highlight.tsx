// Search hits are marked in the list. Text stays text: the parts are
// rendered as text nodes inside <mark>, never as HTML.

export function terms(q: string): string[] {
  const out: string[] = [];
  for (const m of q.matchAll(/[+-]?(?:[\w.@-]+:)?("([^"]*)"|[^\s]+)/g)) {
    if (m[0].startsWith("-")) continue;
    let t = (m[2] ?? m[1]).replace(/[*?]/g, "").trim();
    if (t.length >= 2 && !/^(AND|OR|NOT)$/.test(t)) out.push(t.toLowerCase());
  }
  return out;
}

export function Hl({ text, hits }: { text: string; hits: string[] }) {
  if (!text || hits.length === 0) return <>{text}</>;
  const lower = text.toLowerCase();
  const parts: preact.ComponentChildren[] = [];
  let i = 0;
  while (i < text.length) {
    let best = -1, len = 0;
    for (const h of hits) {
      const j = lower.indexOf(h, i);
      if (j >= 0 && (best < 0 || j < best)) { best = j; len = h.length; }
    }
    if (best < 0) break;
    if (best > i) parts.push(text.slice(i, best));
    parts.push(<mark>{text.slice(best, best + len)}</mark>);
    i = best + len;
  }
  parts.push(text.slice(i));
  return <>{parts}</>;
}
