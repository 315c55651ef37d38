// The static site's search over institution names (no server): the index is window.IMPACTRANK_SEARCH, written
// by `impactrank publish` (impactrank/web/publish/search.py documents it). Accents, case and punctuation are
// folded as the index's keys are, and an institution matches when every word of the query is in one of its keys.
"use strict";
(function () {
  const form = document.getElementById("search-form");
  const input = document.getElementById("search-input");
  const status = document.getElementById("search-status");
  const list = document.getElementById("search-results");
  const index = window.IMPACTRANK_SEARCH;
  if (!form || !index) {
    return;
  }
  const lang = form.dataset.lang;
  const LIMIT = 50;
  // a country's name in the reader's language from the browser's own CLDR data ("FR" → "France", "Francia")
  const regions = typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames([lang], { type: "region" }) : null;

  function countryName(code) {
    try {
      return (regions && regions.of(code)) || code;
    } catch (error) {
      return code; // not a region code the browser knows
    }
  }

  function fold(text) {
    return text.normalize("NFD").replace(/\p{M}+/gu, "").toLowerCase().replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  }

  // the small words of names, which a reader may put or leave out ("universite de nantes" finds Nantes Université)
  const SMALL = new Set(index.small || []);

  function search(query) {
    const folded = fold(query);
    const all = folded.split(" ").filter(Boolean);
    const words = all.filter((w) => !SMALL.has(w));
    const needed = words.length ? words : all;
    if (!needed.length) {
      return [];
    }
    const found = index.entries.filter((e) => needed.every((w) => e.key.includes(w)));
    // the query as written first, then in the index's order
    return found.filter((e) => e.key.includes(folded)).concat(found.filter((e) => !e.key.includes(folded)));
  }

  function show(query) {
    const found = search(query);
    list.replaceChildren();
    for (const entry of found.slice(0, LIMIT)) {
      const item = document.createElement("li");
      const pages = entry.pages;
      const link = document.createElement("a");
      link.href = pages[pages.length - 1][1];
      link.textContent = entry.names[lang] || entry.name;
      item.append(link);
      if (entry.country) {
        item.append(" (" + countryName(entry.country) + ")");
      }
      for (const [edition, href] of pages) {
        const other = document.createElement("a");
        other.href = href;
        other.textContent = edition;
        other.className = "edition-link";
        item.append(" ", other);
      }
      list.append(item);
    }
    status.textContent = found.length
      ? (found.length === 1 ? status.dataset.one : status.dataset.some.replace("{count}", found.length.toLocaleString(lang)))
      : query.trim() ? status.dataset.none : "";
  }

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    show(input.value);
  });
  input.addEventListener("input", () => show(input.value));
  const initial = new URLSearchParams(location.search).get("q");
  if (initial) {
    input.value = initial;
    show(initial);
  }
})();
