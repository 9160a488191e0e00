import { useEffect, useLayoutEffect, useMemo, useReducer, useRef } from "preact/hooks";
import { Virtualizer, elementScroll, observeElementOffset, observeElementRect } from "@tanstack/virtual-core";
import { actorLabel, type AuditEvent } from "../api";
import { fmtTime, fmtTimeSure, offsetAt } from "../time";
import { Hl } from "./highlight";

interface Props {
  events: AuditEvent[];
  total: number;
  hasMore: boolean;
  loadMore: () => void;
  selected: string;
  select: (id: string, open: boolean) => void;
  tz: string;
  hits: string[];
}

const ROW = 28;
const DAY = 86400e3;

// EventList is virtualised: only the rows in view exist in the page, so a
// million events scroll like a hundred. More pages load by cursor near the end.
export function EventList({ events, total, hasMore, loadMore, selected, select, tz, hits }: Props) {
  const scroller = useRef<HTMLDivElement>(null);
  const [, rerender] = useReducer((x: number) => x + 1, 0);
  const virt = useMemo(() => new Virtualizer<HTMLDivElement, HTMLDivElement>({
    count: 0, getScrollElement: () => scroller.current, estimateSize: () => ROW, overscan: 20,
    observeElementRect, observeElementOffset, scrollToFn: elementScroll, onChange: () => rerender(0),
  }), []);
  virt.setOptions({ ...virt.options, count: events.length });
  useLayoutEffect(() => virt._didMount(), []);
  useLayoutEffect(() => virt._willUpdate());

  const items = virt.getVirtualItems();
  const last = items.length ? items[items.length - 1].index : 0;
  useEffect(() => { if (hasMore && last > events.length - 60) loadMore(); }, [last, events.length, hasMore]);

  const idx = events.findIndex((e) => e.id === selected);
  // The cursor moves at once on each key, not after the next render, so
  // fast j/k presses are all counted.
  const cursor = useRef(idx);
  cursor.current = idx;
  useEffect(() => { if (idx >= 0) virt.scrollToIndex(idx, { align: "auto" }); }, [idx]);
  useEffect(() => {
    const move = (to: number) => {
      const n = events[Math.max(0, Math.min(to, events.length - 1))];
      if (n) { cursor.current = events.indexOf(n); select(n.id, false); }
    };
    const onKey = (e: KeyboardEvent) => {
      const t = e.target as HTMLElement;
      // (a field with the focus, or a dialog open, keeps its keys; a facet or
      // a button keeps Enter, which is its own, but not j and k, which it
      // has no use for: after a facet click they moved nothing)
      if (["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName) || t.closest(".modal") || document.querySelector(".modal:not([hidden])") || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "Enter" && ["BUTTON", "A", "SUMMARY"].includes(t.tagName)) return;
      if (e.key === "j" || e.key === "ArrowDown") { e.preventDefault(); move(cursor.current + 1); }
      if (e.key === "k" || e.key === "ArrowUp") { e.preventDefault(); move(cursor.current - 1); }
      if (e.key === "Enter" && cursor.current >= 0) { e.preventDefault(); select(events[cursor.current].id, true); }
    };
    addEventListener("keydown", onKey);
    return () => removeEventListener("keydown", onKey);
  }, [events]);

  return (
    <section class="list">
      <div class="thead" role="row">
        <span class="c-time">Time</span><span class="c-actor">Actor</span><span class="c-action">Action</span>
        <span class="c-target">Target</span><span class="c-outcome">Outcome</span><span class="c-ip">IP</span>
      </div>
      <div class="scroller" ref={scroller} id="events" tabIndex={0} aria-rowcount={total}>
        <div style={{ height: `${virt.getTotalSize()}px`, position: "relative" }}>
          {items.map((it) => {
            const e = events[it.index];
            const prev = events[it.index - 1];
            const gap = prev ? Date.parse(prev.time) - Date.parse(e.time) : 0;
            return (
              <div key={e.id} role="row" data-id={e.id} data-index={it.index}
                class={`row${e.id === selected ? " sel" : ""}${gap > DAY ? " gap" : ""}`}
                style={{ transform: `translateY(${it.start}px)`, height: `${ROW}px` }}
                title={gap > DAY ? `${Math.round(gap / DAY)} days with no event of this search between this one and the one above` : undefined}
                onClick={() => select(e.id, true)}>
                {gap > DAY && <span class="gapmark">{Math.round(gap / DAY)}d gap</span>}
                <span class="c-time" title={`${fmtTime(e.time, tz, true)} ${offsetAt(Date.parse(e.time), tz)} · ${e.time.replace("T", " ")}`}>{fmtTimeSure(e.time, tz, true)}</span>
                <span class="c-actor"><Hl text={actorLabel(e.actor)} hits={hits} /></span>
                <span class="c-action">{e.tags?.includes("starred") && <span class="star-mark" title="starred">★ </span>}<Hl text={e.action} hits={hits} /></span>
                <span class="c-target"><Hl text={e.targets.map((t) => t.name || t.id).join(", ")} hits={hits} /></span>
                <span class={`c-outcome ${e.outcome}`}>{e.outcome}</span>
                <span class="c-ip"><Hl text={e.ip} hits={hits} /></span>
              </div>
            );
          })}
        </div>
      </div>
    </section>
  );
}
