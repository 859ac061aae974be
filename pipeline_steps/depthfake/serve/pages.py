"""The service's own pages: the upload page (choose a bundle, upload videos or pick files of
the service's folder, follow every job's stage without reloading, cancel, rerun, delete, open
a result) and the login page. The script builds every row from the JSON API with
`textContent`, so no name a client gave is ever parsed as markup."""

from __future__ import annotations

import html

from depthfake.reporting.style import PAGE_STYLE, VERDICT_STYLE
from depthfake.serve.access import CSRF_HEADER

STYLE = PAGE_STYLE + VERDICT_STYLE + (
    "form{margin:1em 0}fieldset{border:1px solid #ccc;padding:.6em 1em;margin:0 0 1em}"
    "#message{min-height:1.4em}.refused{color:#b00020}button{margin-right:.3em}")
# Content-Security-Policy of the service's pages: its own script, nothing from elsewhere.
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; "
               "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
               "frame-ancestors 'none'; base-uri 'none'")
# Of a detection page, which has no script at all.
RESULT_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                 "frame-ancestors 'none'; base-uri 'none'")

SCRIPT = """\
"use strict";
const csrf = document.querySelector("meta[name=csrf-token]").content;
const headers = {"CSRF_HEADER": csrf};
const ENDED = ["done", "failed", "cancelled", "interrupted"];
let limits = {max_upload_bytes: Infinity};

function say(text, refused) {
  const message = document.getElementById("message");
  message.textContent = text;
  message.className = refused ? "refused" : "";
}

async function reason(response) {
  try { const body = await response.json(); return body.detail || response.statusText; }
  catch (error) { return response.statusText; }
}

function cell(row, text, className) {
  const td = row.insertCell();
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function button(td, label, action) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = label;
  b.addEventListener("click", action);
  td.append(b);
}

async function act(method, url) {
  const response = await fetch(url, {method: method, headers: headers});
  if (!response.ok) say(await reason(response), true);
  await refresh();
}

function render(jobs) {
  const body = document.getElementById("jobs");
  body.replaceChildren();
  for (const job of jobs) {
    const row = body.insertRow();
    row.dataset.job = job.id;
    row.dataset.state = job.state;
    cell(row, job.name);
    cell(row, job.bundle);
    cell(row, job.state === "running" ? "running: " + job.stage : job.state, "state");
    const score = job.score === null ? "" : " (" + job.score.toFixed(3) + ")";
    cell(row, job.verdict ? job.verdict + score : (job.reason || ""), job.verdict || "");
    const actions = row.insertCell();
    if (job.result) {
      const link = document.createElement("a");
      link.href = job.result;
      link.textContent = "result";
      actions.append(link, " ");
    }
    if (!ENDED.includes(job.state))
      button(actions, "cancel", () => act("POST", "/api/jobs/" + job.id + "/cancel"));
    else
      button(actions, "rerun", () => act("POST", "/api/jobs/" + job.id + "/rerun"));
    button(actions, "delete", () => act("DELETE", "/api/jobs/" + job.id));
  }
}

async function refresh() {
  const response = await fetch("/api/jobs");
  if (response.ok) render(await response.json());
}

async function upload(event) {
  event.preventDefault();
  const files = Array.from(document.getElementById("files").files);
  const bundle = document.getElementById("bundle").value;
  for (const file of files) {
    if (file.size > limits.max_upload_bytes) {
      say(file.name + ": " + file.size + " bytes; this service takes at most " +
          limits.max_upload_bytes, true);
      return;
    }
    say("uploading " + file.name + " ...");
    const url = "/api/jobs?bundle=" + encodeURIComponent(bundle) +
                "&name=" + encodeURIComponent(file.name);
    const response = await fetch(url, {method: "POST", body: file,
      headers: Object.assign({"Content-Type": "application/octet-stream"}, headers)});
    if (!response.ok) { say(file.name + ": " + await reason(response), true); return; }
    await refresh();
  }
  say(files.length + " queued");
  document.getElementById("files").value = "";
}

async function scoreFolder(event) {
  event.preventDefault();
  const names = Array.from(document.querySelectorAll("#folder input:checked"), b => b.value);
  const response = await fetch("/api/jobs/folder", {method: "POST",
    headers: Object.assign({"Content-Type": "application/json"}, headers),
    body: JSON.stringify({bundle: document.getElementById("bundle").value, files: names})});
  say(response.ok ? names.length + " queued" : await reason(response), !response.ok);
  await refresh();
}

async function start() {
  limits = await (await fetch("/api/service")).json();
  const bundles = await (await fetch("/api/bundles")).json();
  const select = document.getElementById("bundle");
  for (const bundle of bundles) {
    const option = document.createElement("option");
    option.value = bundle.key;
    option.textContent = bundle.name + (bundle.demo ? " (demo bundle)" : "");
    select.append(option);
  }
  const folder = await (await fetch("/api/folder")).json();
  if (folder.length) {
    const list = document.getElementById("folder");
    for (const name of folder) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = name;
      label.append(box, " " + name, document.createElement("br"));
      list.append(label);
    }
    document.getElementById("folder-form").hidden = false;
  }
  document.getElementById("upload").addEventListener("submit", upload);
  document.getElementById("folder-form").addEventListener("submit", scoreFolder);
  await refresh();
  setInterval(refresh, 1000);
}

start();
""".replace("CSRF_HEADER", CSRF_HEADER)


def page(title: str, body: str, csrf: str = "", script: bool = False) -> str:
    tag = '<script src="/app.js" defer></script>' if script else ""
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f'<meta name="csrf-token" content="{html.escape(csrf, quote=True)}">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style>{tag}</head>\n"
            f"<body>{body}</body></html>\n")


def upload_page(csrf: str) -> str:
    """The upload page; with a session (its CSRF token), a log-out button."""
    logout = ('<form method="post" action="/logout"><button type="submit">Log out</button>'
              "</form>") if csrf else ""
    return page("depthfake: score videos", logout + """
<h1>Score videos</h1>
<form id="upload">
<fieldset><legend>Videos</legend>
<label>Bundle <select id="bundle"></select></label><br><br>
<input id="files" type="file" accept="video/*" multiple required>
<button type="submit">Upload and score</button>
</fieldset></form>
<form id="folder-form" hidden><fieldset><legend>Videos in the service's folder</legend>
<div id="folder"></div><button type="submit">Score the chosen files</button></fieldset></form>
<p id="message"></p>
<h2>Jobs</h2>
<table><thead><tr><th>video</th><th>bundle</th><th>state</th><th>verdict (score)</th>
<th></th></tr></thead><tbody id="jobs"></tbody></table>
<p>The API: <a href="/docs">/docs</a>.</p>""", csrf=csrf, script=True)


def login_page(refused: bool = False) -> str:
    note = '<p class="refused">Wrong token.</p>' if refused else ""
    return page("depthfake: log in", f"""
<h1>Log in</h1>{note}
<form method="post" action="/login"><label>Token <input name="token" type="password"
required></label> <button type="submit">Log in</button></form>
<p>The token was printed when the service started (or set with --token).</p>""")
