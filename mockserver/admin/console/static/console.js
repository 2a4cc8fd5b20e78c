// mockserver web console: every view is rendered by the server; this script only adds live
// search, the live journal, copy buttons and the scenario editor (docs/console.md).
"use strict";

// the API takes the console cookie for changes only with this header (no cross-site form can)
const HEADERS = { "X-Mockserver-Console": "1" };

function debounce(fn, ms) {
  let timer = 0;
  return (...args) => { clearTimeout(timer); timer = setTimeout(() => fn(...args), ms); };
}

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  for (const c of children) node.append(c);
  return node;
}

async function fetchPage(url) {
  const got = await fetch(url, { headers: HEADERS });
  return new DOMParser().parseFromString(await got.text(), "text/html");
}

function formUrl(form) {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData(form)) if (v) params.set(k, v);
  const query = params.toString();
  return form.getAttribute("action") + (query ? "?" + query : "");
}

// ---- catalog: search as you type, copy as curl

function initCatalog() {
  const form = document.querySelector("form.filters");
  if (!form) return;
  let latest = 0;
  const refresh = async () => {
    const url = formUrl(form);
    const mine = ++latest;
    const doc = await fetchPage(url);
    if (mine !== latest) return;  // an older answer arriving late must not win
    document.getElementById("results").replaceWith(doc.getElementById("results"));
    history.replaceState(null, "", url);
  };
  form.addEventListener("input", debounce(refresh, 250));
  form.addEventListener("submit", (ev) => { ev.preventDefault(); refresh(); });
}

document.addEventListener("click", async (ev) => {
  const button = ev.target.closest("button.copy");
  if (!button) return;
  const text = button.dataset.copy;
  try {
    await navigator.clipboard.writeText(text);
    button.textContent = "Copied";
  } catch {
    // no clipboard (an insecure origin): select the command so Ctrl+C copies it
    const shown = button.nextElementSibling;
    getSelection().selectAllChildren(shown);
    button.textContent = "Selected: press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy as curl"; }, 2000);
});

// ---- journal: follow the server-sent events

function when(seconds) {
  return new Date(seconds * 1000).toISOString();
}

function requestRow(item, key) {
  const iso = when(item.time);
  const line = el("p", { class: "line" });
  if (item.outcome === "no_endpoint") line.append(el("strong", { class: "flag" }, "no endpoint"), " ");
  line.append(
    el("time", { datetime: iso }, iso.slice(11, 23)), " ",
    el("span", { class: "status s" + Math.floor(item.status / 100) }, String(item.status)), " ",
    el("code", {}, `${item.method} /${item.vendor}${item.path}`),
  );
  const decided = item.scenario ? `${item.scenario}/${item.rule}` : item.rule;
  const meta = [
    `session ${item.session || "(none)"}`, `outcome ${item.outcome}`,
    decided ? `rule ${decided}` : "no rule decided", item.reason,
    item.error ? `error ${item.error}` : "",
  ].filter(Boolean).join(" · ");
  const row = el("li", { class: `req o-${item.outcome} new`, "data-key": key }, line, el("p", { class: "meta" }, meta));
  if (item.near_misses.length) {
    const misses = el("ul", { class: "misses", "aria-label": "Near misses" });
    for (const m of item.near_misses) {
      misses.append(el("li", {}, `${m.scenario}/${m.rule} matched ${m.matched_parts}: ${m.mismatches.join("; ")}`));
    }
    row.append(misses);
  }
  return row;
}

function initJournal() {
  const list = document.getElementById("requests");
  if (!list || !window.EventSource) return;
  const live = document.getElementById("live");
  const keys = new Set([...list.children].map((li) => li.dataset.key));
  const sep = list.dataset.stream.includes("?") ? "&" : "?";
  const source = new EventSource(list.dataset.stream + sep + "since=" + list.dataset.since);
  source.addEventListener("open", () => { live.textContent = `${list.children.length} shown, newest first; live.`; });
  source.addEventListener("error", () => { live.textContent = "Live feed interrupted; reconnecting."; });
  source.addEventListener("request", (ev) => {
    if (keys.has(ev.lastEventId)) return;
    keys.add(ev.lastEventId);
    list.prepend(requestRow(JSON.parse(ev.data), ev.lastEventId));
    while (list.children.length > 500) {
      keys.delete(list.lastElementChild.dataset.key);
      list.lastElementChild.remove();
    }
    live.textContent = `${list.children.length} shown, newest first; live.`;
  });
}

// ---- scenarios: validate as you type, load, unload, live hit counts

function showProblems(box, text, answer) {
  box.replaceChildren();
  if (answer.valid) {
    box.append(el("p", { class: "ok" }, `Valid: ${answer.scenarios.join(", ")}`));
    return;
  }
  const list = el("ul", { "aria-label": "Problems" });
  for (const problem of answer.problems) {
    const item = el("li", { class: "problem" }, el("span", { class: "text" }, problem));
    const line = /^[^:]*:(\d+):/.exec(problem);
    if (line) {
      const go = el("button", { type: "button", "aria-label": `Go to line ${line[1]}: ${problem}` }, `Go to line ${line[1]}`);
      go.addEventListener("click", () => gotoLine(text, Number(line[1])));
      item.append(go);
    }
    list.append(item);
  }
  box.append(list);
}

function gotoLine(text, number) {
  const lines = text.value.split("\n");
  const start = lines.slice(0, number - 1).reduce((n, l) => n + l.length + 1, 0);
  text.focus();
  text.setSelectionRange(start, start + (lines[number - 1] || "").length);
}

async function refreshRules() {
  const doc = await fetchPage(location.href);
  document.getElementById("rules").replaceWith(doc.getElementById("rules"));
  document.getElementById("loaded-h").replaceWith(doc.getElementById("loaded-h"));
}

function initScenarios() {
  const form = document.getElementById("editor");
  if (!form) return;
  const text = document.getElementById("f-text");
  const box = document.getElementById("problems");
  const check = async () => {
    const got = await fetch(form.dataset.validate, {
      method: "POST", body: text.value, headers: { ...HEADERS, "Content-Type": "application/yaml" },
    });
    if (got.ok) showProblems(box, text, await got.json());
  };
  text.addEventListener("input", debounce(check, 300));
  check();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const params = new URLSearchParams({ replace: document.getElementById("f-replace").checked });
    const session = document.getElementById("f-load-session").value;
    if (session) params.set("session", session);
    const got = await fetch(`${form.dataset.load}?${params}`, {
      method: "POST", body: text.value, headers: { ...HEADERS, "Content-Type": "application/yaml" },
    });
    const answer = await got.json();
    box.replaceChildren(el("p", { class: got.ok ? "ok" : "problem", role: "alert" },
      got.ok ? `Loaded ${answer.loaded.join(", ")}` : answer.message));
    refreshRules();
  });
  document.addEventListener("click", async (ev) => {
    const button = ev.target.closest("button.unload");
    if (!button) return;
    const session = button.dataset.session;
    const query = session ? "?session=" + encodeURIComponent(session) : "";
    await fetch(`${form.dataset.load}/${encodeURIComponent(button.dataset.name)}${query}`, {
      method: "DELETE", headers: HEADERS,
    });
    refreshRules();
  });
  setInterval(async () => {
    const rules = document.getElementById("rules");
    const got = await fetch(rules.dataset.source, { headers: HEADERS });
    if (!got.ok) return;
    const cells = new Map([...rules.querySelectorAll("td.hits")].map((td) => [td.dataset.key, td]));
    for (const r of (await got.json()).rules) {
      const cell = cells.get(`${r.scenario}\n${r.rule}\n${r.session || ""}`);
      if (cell && cell.textContent !== String(r.hits)) cell.textContent = String(r.hits);
    }
  }, 2000);
}

const VIEWS = { catalog: initCatalog, journal: initJournal, scenarios: initScenarios };
(VIEWS[document.body.dataset.view] || (() => {}))();
