// What the screen needs to know of a query string (Bleve's syntax): its
// top-level clauses. A clause with + must match and one with - must not; a
// clause with neither is optional as soon as the query has a +clause, so
// `hana +outcome:failure` lists every failure, hana's or not.

// clauses are q's clauses as Bleve's lexer reads them: a clause ends at a
// space (not a tab), a " opens a phrase only where a clause or an
// operator's value begins (after + - : < > =), and \ keeps the character
// after it (search/query.go's operatorWord reads them alike).
export function clauses(q: string): string[] {
  const out: string[] = [];
  let start = -1, phrase = false;
  for (let i = 0; i < q.length; i++) {
    const c = q[i];
    if (phrase) {
      if (c === "\\") i++;
      else if (c === '"') phrase = false;
    } else if (start < 0 && /\s/.test(c)) {
      // between clauses
    } else if (c === "\\") {
      if (start < 0) start = i;
      i++;
    } else if (c === '"' && (start < 0 || "+-:<>=".includes(q[i - 1]))) {
      if (start < 0) start = i;
      phrase = true;
    } else if (c === " ") {
      out.push(q.slice(start, i));
      start = -1;
    } else if (start < 0) {
      start = i;
    }
  }
  if (start >= 0) out.push(q.slice(start));
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
