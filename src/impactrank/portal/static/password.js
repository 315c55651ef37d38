// Password fields: a button to show or hide what was typed, and for a new password a strength meter asking the
// server's estimate (the same one that accepts or refuses it). Without this script the fields work as before;
// the button and meter stay hidden. The words come from the page, in its language.
"use strict";
(function () {
  for (const button of document.querySelectorAll("button.reveal")) {
    const input = document.getElementById(button.getAttribute("aria-controls"));
    button.hidden = false;
    button.addEventListener("click", () => {
      const shown = input.type === "password";
      input.type = shown ? "text" : "password";
      button.setAttribute("aria-pressed", String(shown));
      button.textContent = shown ? button.dataset.hide : button.dataset.show;
    });
  }
  // a form sent with the password shown still sends it as a password field would (no autocomplete history)
  for (const form of document.querySelectorAll("form")) {
    form.addEventListener("submit", () => {
      for (const input of form.querySelectorAll("span.password input")) input.type = "password";
    });
  }

  for (const box of document.querySelectorAll("span.strength")) {
    const input = document.getElementById(box.dataset.for);
    const meter = box.querySelector("meter");
    const status = box.querySelector("[role=status]");
    let timer = null;
    let asked = 0;
    box.hidden = false;
    async function estimate() {
      const mine = ++asked;
      if (!input.value) {
        meter.value = 0;
        status.textContent = "";
        return;
      }
      const response = await fetch("/api/password-strength", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ password: input.value, email: box.dataset.email || null }),
        credentials: "omit",
      });
      if (!response.ok || mine !== asked) return; // a later keystroke's answer will come
      const result = await response.json();
      meter.value = result.score;
      const level = box.getAttribute("data-level-" + result.score);
      status.textContent = result.refusal ? level + " — " + box.getAttribute("data-" + result.refusal) : level;
    }
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(estimate, 250);
    });
  }
})();
