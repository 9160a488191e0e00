// What the screen needs to know of a query string (Bleve's syntax): its
// top-level clauses. A clause with + must match and one with - must not; a
// clause with neither is optional as soon as the query has a +clause, so
// `hana +outcome:failure` lists every failure, hana's or not.

// clauses are q's clauses: apart by white space outside quotes, a
// backslash keeping the character after it.
export function clauses(q: string): string[] {
  const out: string[] = [];
  let cur = "", quoted = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (c === "\\" && i + 1 < q.length) { cur += c + q[++i]; continue; }
    if (c === '"') quoted = !quoted;
    if (!quoted && /\s/.test(c)) { if (cur) out.push(cur); cur = ""; continue; }
    cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

const bare = (c: string) => c !== "*" && !c.startsWith("+") && !c.startsWith("-");

// ignored are q's clauses that match nothing it would not match without
// them: those without + or - beside a +clause.
export function ignored(q: string): string[] {
  const cs = clauses(q);
  return cs.some((c) => c.startsWith("+")) ? cs.filter(bare) : [];
}

// required is q with its clauses without + or - made required.
export function required(q: string): string {
  return clauses(q).map((c) => (bare(c) ? `+${c}` : c)).join(" ");
}

// addTerm adds a filter (+field:"value", or -field:"value" when negate) to
// q so that the events listed are q's that also match it: a query of
// optional clauses only (`hana`, `alice bob`) has them made required
// first, or the filter alone would decide. (`alice bob` then means both;
// Bleve's syntax cannot say "either, and the filter".) A lone * (every
// event) is left out.
export function addTerm(q: string, field: string, value: string, negate: boolean): string {
  const term = `${negate ? "-" : "+"}${field}:"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"')}"`;
  let cs = clauses(q).filter((c) => c !== "*");
  if (!negate && !cs.some((c) => c.startsWith("+"))) cs = cs.map((c) => (bare(c) ? `+${c}` : c));
  return [...cs, term].join(" ");
}
