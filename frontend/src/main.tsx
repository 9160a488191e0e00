import { render } from "preact";
import { App } from "./app";
import "./style.css";

// An error that stops the UI is shown, not swallowed: an investigator (and
// the desktop test's screenshot) should see why the screen is empty.
function showError(msg: string) {
  const p = document.createElement("pre");
  p.className = "fatal";
  p.textContent = `auditlens could not start its screen: ${msg}`;
  document.body.prepend(p);
}
addEventListener("error", (e) => showError(String(e.message || e.error)));
addEventListener("unhandledrejection", (e) => showError(String((e as PromiseRejectionEvent).reason)));

render(<App />, document.getElementById("app")!);
