// Autosave for the SDG forms: a changed field is saved as a draft through the JSON API (same rules as the
// form's own submit button, which works without this script). The record's version travels with each save,
// so a change made elsewhere meanwhile is reported instead of overwritten.
"use strict";
(function () {
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (!meta) return;
  const NUMERIC = ["value", "numerator", "denominator", "exists", "evidence", "public", "recent"];

  function payload(form) {
    const data = new FormData(form);
    const body = { version: Number(data.get("version") || 0), complete: false };
    for (const name of NUMERIC) {
      const v = data.get(name);
      if (v !== null && v !== "") body[name] = Number(v);
    }
    if (data.get("unavailable")) body.unavailable = true;
    return body;
  }

  async function save(form) {
    const status = form.querySelector(".status");
    status.textContent = form.dataset.saving;  // the page's own words, in its language
    const response = await fetch(form.dataset.api, {
      method: "PUT",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": meta.content },
      body: JSON.stringify(payload(form)),
      credentials: "same-origin",
    });
    const result = await response.json();
    if (response.ok) {
      form.querySelector('input[name="version"]').value = result.version;
      const state = document.getElementById("state-" + result.sdg + "-" + result.metric);
      if (state) state.textContent = form.dataset[result.state] || result.state;
      status.textContent = form.dataset.saved + (result.warnings.length ? " — " + result.warnings.map((w) => w.message).join("; ") : "");
    } else {
      status.textContent = (result.field ? result.field + ": " : "") + result.error;
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
