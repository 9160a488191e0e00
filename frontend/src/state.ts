// The view lives in the URL, so a view can be shared and restored.
import { useEffect, useRef, useState } from "preact/hooks";

export interface View {
  q: string;
  from: string; // RFC 3339 or ""
  to: string;
  tz: string; // "UTC", "local" or an IANA zone
  stack: "category" | "outcome";
  sel: string; // selected event id
  panel: "" | "event" | "history" | "compare";
  target: string; // history target as type\u0001id\u0001name
  cmp: string; // second event of a comparison
}

const defaults: View = { q: "", from: "", to: "", tz: "UTC", stack: "category", sel: "", panel: "", target: "", cmp: "" };

export function readView(): View {
  const p = new URLSearchParams(location.search);
  const v = { ...defaults };
  for (const k of Object.keys(defaults) as (keyof View)[]) {
    const x = p.get(k);
    if (x !== null) (v as unknown as Record<string, string>)[k] = x;
  }
  if (v.stack !== "outcome") v.stack = "category";
  if (!knownZone(v.tz)) v.tz = defaults.tz; // (a link from a machine that knows other zones)
  for (const k of ["from", "to"] as const) if (v[k] && Number.isNaN(Date.parse(v[k]))) v[k] = ""; // (a link mistyped)
  return v;
}

// A new search, filter, range or panel is a step the browser's Back button
// undoes; the event selected, the zone or the stacking only rewrite the
// step they are part of.
const steps: (keyof View)[] = ["q", "from", "to", "panel", "target", "cmp"];

function writeView(v: View, step: boolean) {
  const p = new URLSearchParams(location.search);
  for (const k of Object.keys(defaults) as (keyof View)[]) {
    if (v[k] && v[k] !== defaults[k]) p.set(k, v[k]);
    else p.delete(k);
  }
  const s = p.toString();
  const url = s ? `?${s}` : location.pathname;
  if (step) history.pushState(null, "", url);
  else history.replaceState(null, "", url);
}

export function useView(): [View, (patch: Partial<View>) => void] {
  const [view, setView] = useState<View>(readView);
  const prev = useRef(view);
  const fromHistory = useRef(false); // the view is the URL Back or Forward went to
  useEffect(() => {
    if (!fromHistory.current) writeView(view, steps.some((k) => view[k] !== prev.current[k]));
    fromHistory.current = false;
    prev.current = view;
  }, [view]);
  useEffect(() => {
    const onPop = () => { fromHistory.current = true; setView(readView()); };
    addEventListener("popstate", onPop);
    return () => removeEventListener("popstate", onPop);
  }, []);
  return [view, (patch) => setView((v) => ({ ...v, ...patch }))];
}

// knownZone: tz is "local" or a zone this browser can show times in.
export function knownZone(tz: string): boolean {
  if (tz === "local") return true;
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}
