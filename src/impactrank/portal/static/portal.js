// Autosave for the SDG forms: a changed field is saved as a draft through the JSON API (same rules as the
// form's own submit button, which works without this script). The record's version travels with each save,
// so a change made elsewhere meanwhile is reported instead of overwritten.
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta) return;
  const NUMERIC = ["value", "numerator", "denominator", "exists", "evidence", "public", "recent"];
  const LANG = document.documentElement.lang || "en";
  const COMMA = (1.5).toLocaleString(LANG).charAt(1) === ",";  // the page's language writes decimals with a comma
  const PLAIN = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;

  // A number as a person types it, read as the server reads a form's ("12,5", "1 234,5" where the language writes a
  // decimal comma); null for what is no number, which is then not sent (it would arrive as nothing, erasing the value).
  function typed(text) {
    let t = text.trim().replace(/[ \u00a0\u202f]/g, "");
    if (COMMA && t.includes(",")) t = t.replace(/\./g, "").replace(/,/g, ".");
    return PLAIN.test(t) ? Number(t) : null;
  }

  function label(form, name) {
    const input = form.querySelector('[name="' + name + '"]');
    const own = input && input.id && form.querySelector('label[for="' + input.id + '"]');
    return own ? own.textContent.trim() : name;
  }

  function payload(form) {
    const data = new FormData(form);
    const body = { version: Number(data.get("version") || 0), complete: false };
    for (const name of NUMERIC) {
      const v = data.get(name);
      if (v === null || v.trim() === "") continue;
      const n = typed(v);
      if (n === null) return { invalid: name };
      body[name] = n;
    }
    if (data.get("unavailable")) body.unavailable = true;
    return body;
  }

  function showWarnings(form, warnings) {
    const box = form.querySelector(".warnings");
    if (!box) return;
    box.querySelector("ul").replaceChildren(...warnings.map((w) => {
      const item = document.createElement("li");
      item.textContent = w.message;
      return item;
    }));
    box.hidden = warnings.length === 0;
  }

  async function save(form) {
    const status = form.querySelector(".status");
    const body = payload(form);
    if (body.invalid) {
      status.textContent = form.dataset.notNumber.replace("{field}", label(form, body.invalid));
      return;
    }
    status.textContent = form.dataset.saving;  // the page's own words, in its language
    const response = await fetch(form.dataset.api + "?lang=" + encodeURIComponent(LANG), {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.content },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
    const result = await response.json();
    if (response.ok) {
      form.querySelector('input[name="version"]').value = result.version;
      const state = document.getElementById("state-" + result.sdg + "-" + result.metric);
      if (state) state.textContent = form.dataset[result.state] || result.state;
      status.textContent = form.dataset.saved;
      showWarnings(form, result.warnings);
    } else {
      status.textContent = form.dataset.refused.replace("{field}", label(form, result.field || "")).replace("{message}", result.message || result.error);
    }
  }

  for (const form of document.querySelectorAll("form.autosave")) {
    let timer = null;
    let saving = null;
    form.addEventListener("change", (event) => {
      if (event.target.name === "acknowledge_warnings") return;
      clearTimeout(timer);
      timer = setTimeout(() => { saving = save(form).finally(() => { saving = null; }); }, 300);
    });
    // The buttons post the form with its version: let a pending autosave finish first, or the two would race.
    form.addEventListener("submit", async (event) => {
      clearTimeout(timer);
      if (!saving) return;
      event.preventDefault();
      const button = event.submitter;
      await saving;
      form.requestSubmit(button);
    });
  }
})();
