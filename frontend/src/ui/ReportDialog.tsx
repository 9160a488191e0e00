import { useEffect, useState } from "preact/hooks";
import { api, type Range, type ReportJob } from "../api";
import { fmtTime, ianaZone, zoneLabel } from "../time";
import { useDialogFocus } from "./dialog";

const sheets = [
  ["summary", "Summary (totals, by day with a chart, top actors, failed logins)"],
  ["events", "Events (one row per event)"],
  ["changes", "Changes (one row per changed field)"],
  ["actors", "Actors (first/last seen, failures, privileged actions)"],
  ["sources", "Sources (file provenance and SHA-256)"],
] as const;

interface WailsSave { SaveFile: (name: string) => Promise<string> }
const formats = [["csv", "CSV"], ["ndjson", "NDJSON"]] as const;
function wailsSave(): WailsSave | undefined {
  return (window as unknown as { go?: { main?: { App?: WailsSave } } }).go?.main?.App;
}

// ReportDialog makes the Excel report of the current query and range: in the
// window it saves where the native dialog says; in a browser it downloads.
export function ReportDialog({ range, tz, close }: { range: Range; tz: string; close: () => void }) {
  const [pick, setPick] = useState<Record<string, boolean>>(Object.fromEntries(sheets.map(([k]) => [k, true])));
  const [job, setJob] = useState<ReportJob | null>(null);
  const [err, setErr] = useState("");
  const [stopping, setStopping] = useState(false);
  const [exported, setExported] = useState("");
  const native = wailsSave();
  const dialog = useDialogFocus(true);
  // In the window an export is saved where its dialog says (a browser
  // downloads the link instead).
  const saveExport = async (format: string) => {
    try {
      const path = await native!.SaveFile(`audit-events.${format}`);
      if (!path) return;
      const r = await api.exportTo(range, format, path);
      setExported(`${r.events.toLocaleString()} events saved at ${r.path}`);
      setErr("");
    } catch (e) { setErr((e as Error).message); }
  };

  const start = async () => {
    try {
      let path: string | undefined;
      if (native) {
        path = await native.SaveFile("audit-report.xlsx");
        if (!path) return;
      }
      setJob(await api.startReport(range, ianaZone(tz), sheets.map(([k]) => k).filter((k) => pick[k]), path));
      setErr("");
    } catch (e) { setErr((e as Error).message); }
  };
  useEffect(() => {
    if (!job || job.state !== "running") return;
    const t = setInterval(() => api.report(job.id).then(setJob).catch((e: Error) => setErr(e.message)), 400);
    return () => clearInterval(t);
  }, [job?.id, job?.state]);

  return (
    <div class="modal" role="dialog" aria-modal="true" aria-label="Report" id="report-dialog" ref={dialog}>
      <div class="box">
        <header><h2>Excel report</h2><button class="small" onClick={close} aria-label="Close">✕</button></header>
        <p class="muted">Query <code>{range.q || "(every event)"}</code>{range.from ? ` from ${fmtTime(range.from, tz, true)}` : ""}{range.to ? ` to ${fmtTime(range.to, tz, true)}` : ""}; times in {zoneLabel(tz)}.</p>
        {!job && (
          <>
            <ul class="sheets">{sheets.map(([k, label]) => (
              <li><label><input type="checkbox" name={k} checked={pick[k]} onChange={(e) => setPick({ ...pick, [k]: (e.target as HTMLInputElement).checked })} /> {label}</label></li>
            ))}</ul>
            <button id="report-start" onClick={start} disabled={!Object.values(pick).some(Boolean)}>{native ? "Save report…" : "Create report"}</button>
            <p class="muted" id="export">Or the same events, one a line with every field, as{" "}
              {formats.map(([f, label], i) => <>{i > 0 && " or "}{native
                ? <a href="#" data-format={f} onClick={(e) => { e.preventDefault(); saveExport(f); }}>{label}</a>
                : <a href={api.exportURL(range, f)} data-format={f} download>{label}</a>}</>)}
              {" "}(formulas neutralised; NDJSON with the raw records).</p>
            {exported && <p id="export-done">{exported}</p>}
          </>
        )}
        {err && <p class="error" role="alert">{err}</p>}
        {job && (
          <div id="report-progress" data-state={job.state}>
            <p>{{ running: stopping ? "Stopping…" : "Writing…", done: "Done", stopped: "Stopped: no file was written", failed: "Failed" }[job.state]} · {job.written.toLocaleString()} of {job.total.toLocaleString()} events</p>
            {job.state === "running" && <p><progress value={job.written} max={Math.max(1, job.total)} />{" "}
              <button id="report-stop" disabled={stopping}
                onClick={() => { setStopping(true); api.stopReport(job.id).catch((e: Error) => { setStopping(false); setErr(e.message); }); }}>Stop</button></p>}
            {job.error && job.state !== "stopped" && <p class="error">{job.error}</p>}
            {job.state === "done" && (
              <p>Saved at <code id="report-path">{job.path}</code>{!native && <> · <a id="report-download" href={api.reportURL(job.id)} download>Download</a></>}</p>
            )}
          </div>
        )}
      </div>
    </div>
  );
}
