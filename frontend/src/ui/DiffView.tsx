import type { Change } from "../api";

// show renders a value as the report's Changes sheet does: text bare, but
// quoted when it is empty or reads as a number, true, false or null (0 to
// "0" showed two cells alike); anything else as JSON; absent as nothing.
function show(v: unknown): string {
  if (v === null || v === undefined) return "";
  if (typeof v !== "string") return JSON.stringify(v);
  return v === "" || /^(true|false|null|-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?)$/.test(v) ? JSON.stringify(v) : v;
}

// wordDiff marks what changed inside long text: a longest-common-subsequence
// over words, small enough for the values audit records hold.
function wordDiff(a: string, b: string): { t: string; k: "same" | "del" | "add" }[] {
  const x = a.split(/(\s+)/), y = b.split(/(\s+)/);
  if (x.length * y.length > 250000) return [{ t: a, k: "del" }, { t: b, k: "add" }];
  const dp: number[][] = Array.from({ length: x.length + 1 }, () => new Array(y.length + 1).fill(0));
  for (let i = x.length - 1; i >= 0; i--)
    for (let j = y.length - 1; j >= 0; j--)
      dp[i][j] = x[i] === y[j] ? dp[i + 1][j + 1] + 1 : Math.max(dp[i + 1][j], dp[i][j + 1]);
  const out: { t: string; k: "same" | "del" | "add" }[] = [];
  let i = 0, j = 0;
  while (i < x.length && j < y.length) {
    if (x[i] === y[j]) { out.push({ t: x[i], k: "same" }); i++; j++; }
    else if (dp[i + 1][j] >= dp[i][j + 1]) out.push({ t: x[i++], k: "del" });
    else out.push({ t: y[j++], k: "add" });
  }
  while (i < x.length) out.push({ t: x[i++], k: "del" });
  while (j < y.length) out.push({ t: y[j++], k: "add" });
  return out;
}

export function DiffView({ changes }: { changes: Change[] }) {
  if (!changes.length) return <p class="muted">The record carries no before/after values.</p>;
  return (
    <table class="diff">
      <thead><tr><th>Field</th><th>Before</th><th>After</th></tr></thead>
      <tbody>
        {changes.map((c) => {
          const b = show(c.before), a = show(c.after);
          const kind = c.before === null || c.before === undefined ? "added" : c.after === null || c.after === undefined ? "removed" : "changed";
          const long = kind === "changed" && typeof c.before === "string" && typeof c.after === "string" && (b.length > 40 || a.length > 40);
          return (
            <tr class={kind}>
              <td class="path">{c.path || "(value)"}</td>
              {long ? (
                <td colSpan={2} class="inline">{wordDiff(b, a).map((p) => p.k === "same" ? p.t : p.k === "del" ? <del>{p.t}</del> : <ins>{p.t}</ins>)}</td>
              ) : (
                <>
                  <td class="before">{kind === "added" ? <span class="muted">—</span> : b}</td>
                  <td class="after">{kind === "removed" ? <span class="muted">—</span> : a}</td>
                </>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
