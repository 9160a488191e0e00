import type { Facet } from "../api";

const titles: Record<string, string> = {
  tag: "Tag",
  category: "Category", action: "Action", "actor.label": "Actor", outcome: "Outcome",
  ip: "IP", format: "Format", source: "Source",
};

export function Facets({ facets, onPick }: { facets: Facet[]; onPick: (field: string, value: string, negate: boolean) => void }) {
  return (
    <aside class="facets" id="facets">
      {facets.filter((f) => f.top.length > 0).map((f) => (
        <section data-field={f.field}>
          <h3>{titles[f.field] ?? f.field}</h3>
          <ul>
            {f.top.map((t) => (
              <li>
                <button class="facet" data-value={t.value} title={`Only ${t.value}`} onClick={() => onPick(f.field, t.value, false)}>
                  <span class="v">{(f.field === "source" ? t.value.split(/[\\/]/).pop() : t.value) || "(none)"}</span><span class="n">{t.count.toLocaleString()}</span>
                </button>
                <button class="neg" title={`Exclude ${t.value}`} aria-label={`Exclude ${t.value}`} onClick={() => onPick(f.field, t.value, true)}>−</button>
              </li>
            ))}
            {f.other > 0 && <li class="muted">+{f.other.toLocaleString()} other</li>}
          </ul>
        </section>
      ))}
    </aside>
  );
}
