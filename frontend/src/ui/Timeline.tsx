import { useEffect, useRef } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Histogram } from "../api";
import { fmtTime } from "../time";

export const palette: Record<string, string> = {
  configuration: "#5b8def", alert: "#e8a23a", user: "#a66bd6", access: "#2fa58f",
  integration: "#d8607a", data: "#7a8797", other: "#b9a46d",
  success: "#2fa58f", failure: "#d64545", unknown: "#8a93a3",
};

const order = ["configuration", "alert", "user", "access", "integration", "data", "other", "success", "failure", "unknown"];

interface Props {
  hist: Histogram | null;
  tz: string;
  theme: string;
  onZoom: (from: string, to: string) => void;
}

// Timeline draws the histogram as stacked bars; dragging over a range zooms to it.
export function Timeline({ hist, tz, theme, onZoom }: Props) {
  const el = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const zoom = useRef(onZoom);
  zoom.current = onZoom;

  useEffect(() => {
    if (!el.current || !hist || hist.edges.length < 2) {
      // no counts, or none in any bucket (a query without hits): no chart of older ones
      plot.current?.destroy();
      plot.current = null;
      return;
    }
    const xs = hist.edges.slice(0, -1).map((e) => Date.parse(e) / 1000);
    const xmax = Date.parse(hist.edges[hist.edges.length - 1]) / 1000;
    const names = order.filter((k) => hist.series[k]);
    // cumulative sums, drawn from the tallest down so each band shows
    const cum: number[][] = [];
    let acc = new Array(xs.length).fill(0);
    for (const n of names) {
      acc = acc.map((v, i) => v + (hist.series[n][i] ?? 0));
      cum.push(acc);
    }
    const drawn = names.map((n, i) => ({ n, data: cum[i] })).reverse();
    const bars = uPlot.paths.bars!({ size: [0.9, 40], align: 1 });
    const css = getComputedStyle(document.documentElement);
    const muted = css.getPropertyValue("--muted").trim(), grid = css.getPropertyValue("--grid").trim();
    const opts: uPlot.Options = {
      width: el.current.clientWidth,
      height: 150,
      legend: { show: false },
      cursor: { drag: { x: true, y: false, setScale: false }, points: { show: false } },
      select: { show: true, left: 0, top: 0, width: 0, height: 0 },
      scales: { x: { time: true, range: () => [xs[0], xmax] }, y: { range: (_u, _min, max) => [0, Math.max(1, max * 1.05)] } },
      tzDate: tz === "local" ? undefined : (ts) => uPlot.tzDate(new Date(ts * 1e3), tz === "UTC" ? "Etc/UTC" : tz),
      axes: [
        // 24-hour times in the chosen zone, as the list writes them: a day's
        // ticks are dates, an hour's times of day
        { stroke: muted, grid: { stroke: grid }, ticks: { stroke: grid }, space: 70,
          values: (_u, splits, _ax, _space, incr) => splits.map((v, i) => {
            const s = fmtTime(new Date(v * 1e3).toISOString(), tz); // 2026-10-31 23:59:00
            if (incr >= 86400) return i === 0 || s.slice(0, 4) !== fmtTime(new Date(splits[i - 1] * 1e3).toISOString(), tz).slice(0, 4) ? s.slice(0, 10) : s.slice(5, 10);
            return incr >= 60 ? s.slice(5, 16) : s.slice(11, 19);
          }) },
        { stroke: muted, grid: { stroke: grid }, ticks: { stroke: grid }, size: 48 },
      ],
      series: [{}, ...drawn.map((d) => ({ label: d.n, fill: palette[d.n], stroke: palette[d.n], paths: bars, points: { show: false } }))],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width < 3) return;
          const a = u.posToVal(u.select.left, "x"), b = u.posToVal(u.select.left + u.select.width, "x");
          u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
          zoom.current(new Date(a * 1000).toISOString(), new Date(b * 1000).toISOString());
        }],
      },
    };
    plot.current?.destroy();
    plot.current = new uPlot(opts, [xs, ...drawn.map((d) => d.data)] as uPlot.AlignedData, el.current);
    // Follow the container, not the window: opening the detail panel narrows
    // it, and a chart left wider would lie over the panel and catch its clicks.
    const box = el.current;
    const ro = new ResizeObserver(() => plot.current?.setSize({ width: box.clientWidth, height: 150 }));
    ro.observe(box);
    return () => ro.disconnect();
  }, [hist, tz, theme]);
  useEffect(() => () => plot.current?.destroy(), []);

  const legend = hist ? order.filter((k) => hist.series[k]) : [];
  return (
    <section class="timeline" id="timeline">
      <div class="legend">
        {legend.map((k) => <span><i style={{ background: palette[k] }} />{k}</span>)}
        {hist && <span class="muted">{hist.total.toLocaleString()} event{hist.total === 1 ? "" : "s"} · {hist.bucket} buckets · drag to zoom</span>}
      </div>
      <div ref={el} class="chart" />
    </section>
  );
}
