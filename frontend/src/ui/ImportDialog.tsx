import { useEffect, useRef, useState } from "preact/hooks";
import { api, type ImportJob } from "../api";
import { useDialogFocus } from "./dialog";

// The window binds native dialogs (app.go); a browser uploads or names a
// path on the machine that serves it.
interface WailsApp { OpenFiles: () => Promise<string[]>; OpenFolder: () => Promise<string> }
function wailsApp(): WailsApp | undefined {
  return (window as unknown as { go?: { main?: { App?: WailsApp } } }).go?.main?.App;
}

interface Props { close: () => void; onProgress: (job: ImportJob) => void; hidden?: boolean }

// While an import runs the dialog may be closed: it is hidden, not ended,
// and goes on following the job (the bar's Import button says how far it
// is and opens it again).
export function ImportDialog({ close, onProgress, hidden }: Props) {
  const [job, setJob] = useState<ImportJob | null>(null);
  const [path, setPath] = useState("");
  const [err, setErr] = useState("");
  const [stopping, setStopping] = useState(false);
  const files = useRef<HTMLInputElement>(null);
  const native = wailsApp();
  const dialog = useDialogFocus(!hidden);

  const start = (p: Promise<ImportJob>) => p.then((j) => { setJob(j); setErr(""); }).catch((e: Error) => setErr(e.message));
  useEffect(() => {
    if (!job || job.state !== "running") return;
    onProgress(job);
    const t = setInterval(() => api.job(job.id).then((j) => { setJob(j); onProgress(j); }), 400);
    return () => clearInterval(t);
  }, [job?.id, job?.state]);

  const p = job?.progress;
  return (
    <div class="modal" role="dialog" aria-modal="true" aria-label="Import" id="import-dialog" hidden={hidden} ref={dialog}>
      <div class="box">
        <header><h2>Import audit exports</h2><button class="small" onClick={close} aria-label="Close">✕</button></header>
        {!job && (
          <>
            {native && <p><button onClick={() => native.OpenFiles().then((ps) => { if (ps?.length) start(api.importPaths(ps)); })}>Choose files…</button>{" "}
              <button onClick={() => native.OpenFolder().then((d) => { if (d) start(api.importPaths([d])); })}>Choose a folder…</button></p>}
            <p>
              <label>Upload files: <input type="file" multiple ref={files} id="upload" /></label>{" "}
              <button id="upload-start" onClick={() => files.current?.files?.length && start(api.importFiles(files.current.files))}>Import</button>
            </p>
            <form onSubmit={(e) => { e.preventDefault(); if (path.trim()) start(api.importPaths([path.trim()])); }}>
              <label>Or a path on this machine: <input value={path} id="server-path" placeholder="/evidence/cloudtrail.zip" onInput={(e) => setPath((e.target as HTMLInputElement).value)} /></label>
              <button type="submit">Import</button>
            </form>
            <p class="muted">Files, folders and archives (zip, tar, tar.gz, gz, nested). Formats are detected from the content.</p>
          </>
        )}
        {err && <p class="error" role="alert">{err}</p>}
        {job && p && (
          <div id="import-progress" data-state={job.state}>
            <p><strong id="import-state">{job.state === "done" && job.summary?.failures?.length
              ? (p.sources > 0 ? "Done, but some paths could not be read" : "Failed: nothing could be read")
              : { running: stopping ? "Stopping…" : "Importing…", done: "Done", stopped: "Stopped", failed: "Failed" }[job.state]}</strong>{" "}
              {p.sources} file{p.sources === 1 ? "" : "s"} · <span id="import-events">{p.events.toLocaleString()}</span> events · {Math.round(job.rate).toLocaleString()} events/s ·
              {" "}{p.duplicates.toLocaleString()} duplicates · {p.rejected.toLocaleString()} rejected</p>
            {job.state === "running" && p.waiting && <p class="muted" id="import-waiting">{p.waiting}</p>}
            {job.state === "running" && <p><progress />{" "}
              <button id="import-stop" disabled={stopping} title="Stop at the next batch: what was stored stays"
                onClick={() => { setStopping(true); api.stopImport(job.id).catch((e: Error) => { setStopping(false); setErr(e.message); }); }}>Stop</button></p>}
            {job.error && !job.summary?.failures?.includes(job.error) && <p class="error">{job.error}</p>}
            {job.summary?.failures?.map((f) => <p class={job.state === "stopped" ? "muted" : "error"}>{f}</p>)}
            {job.summary && (
              <ul class="rejections">
                {job.summary.sources.filter((s) => s.rejected > 0 || s.failed).flatMap((s) =>
                  [...s.errors.slice(0, 20).map((e) => <li>{s.member || s.path}:{e.line}: {e.message}</li>),
                    ...(s.failed ? [<li>{s.member || s.path}: {s.failed}</li>] : [])])}
              </ul>
            )}
            {job.state !== "running" && <button onClick={close}>Close</button>}
          </div>
        )}
      </div>
    </div>
  );
}
