"""The dashboard as a static site (``impactrank publish``): every page ``serve`` shows, rendered by the same
page functions and templates (:mod:`impactrank.pages`), in each language asked, with the JSON twins and the
tables' CSV and XLSX downloads, relative links (:mod:`.addresses`), a search over institution names that needs
no server (:mod:`.search`), and a manifest of the files' hashes; the same workspace gives the same bytes."""
