// Runs in the iframe that shim.js makes for each worker, before the worker's script: the
// worker's globals. Upstream writes this as an inline script into the iframe, which inherits
// the page's Content-Security-Policy, and the policy (no 'unsafe-inline') blocks it.
postMessage = function (s, n) { parent.postMessage(s, n || "*") };
importScripts = function (...s) {
  return s.reduce((n, e) => n.then(() => new Promise(r => {
    let t = document.createElement("script"); t.src = e, t.onload = r, document.body.appendChild(t)
  })), Promise.resolve())
};
addEventListener("error", ({ error }) => {
  parent.dispatchEvent(new ErrorEvent("error", { filename: frameElement.dataset.worker, error }))
});
