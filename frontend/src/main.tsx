import { render } from "preact";
import { App } from "./app";
import { showHiddenCharacters } from "./visible";
import "./style.css";

// An error that stops the UI is shown, not swallowed: an investigator (and
// the desktop test's screenshot) should see why the screen is empty. Once
// the screen is up, an error is one the screen did not expect; it is shown
// until dismissed, not as a screen that could not start.
let started = false;
function showError(msg: string) {
  const p = document.createElement("pre");
  p.className = "fatal";
  p.setAttribute("role", "alert");
  p.textContent = started ? `auditlens hit an error: ${msg}` : `auditlens could not start its screen: ${msg}`;
  if (started) {
    const close = document.createElement("button");
    close.textContent = "×";
    close.title = "Dismiss";
    close.onclick = () => p.remove();
    p.append(" ", close);
  }
  document.body.prepend(p);
}
addEventListener("error", (e) => showError(String(e.message || e.error)));
addEventListener("unhandledrejection", (e) => showError(String((e as PromiseRejectionEvent).reason)));

showHiddenCharacters();
render(<App />, document.getElementById("app")!);
started = true;
