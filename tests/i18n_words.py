"""English interface words that must not appear in a French or Spanish page once its data (institution, group
and metric names, edition sources) is taken out. Each word comes from the English catalog's messages
(tests/web/test_web_i18n_pages.py checks that it still does); words French or Spanish write the same way
("Score", "score", "page", "Source", "Participants", "Contribution", "Global"; Spanish "Error") are left out."""

from __future__ import annotations

from babel.messages.pofile import read_po

from impactrank import i18n


def catalog(locale: str):
    """The catalog of ``locale`` as translators edit it (the .po file)."""
    with (i18n.LOCALE_DIR / locale / "LC_MESSAGES" / "messages.po").open("rb") as fp:
        return read_po(fp, locale=locale)


def messages_of(area: str) -> list:
    """The English catalog's messages used by one part of the package (``"/web/"``, ``"/portal/"`` …)."""
    return [m for m in catalog("en") if m.id and any(area in path for path, _ in m.locations)]


def untranslated(messages: list, locale: str) -> list:
    """Which of ``messages`` ``locale``'s catalog leaves without a (non-fuzzy) translation."""
    translated = {
        m.id
        for m in catalog(locale)
        if m.id and all(m.string if isinstance(m.string, tuple) else (m.string,)) and not m.fuzzy
    }
    return [m.id for m in messages if m.id not in translated]


ENGLISH_WORDS = (
    "the",
    "and",
    "of",
    "with",
    "in",
    "Rank",
    "rank",
    "Overall",
    "Country",
    "Search",
    "Apply",
    "previous",
    "next",
    "Editions",
    "Edition",
    "edition",
    "Compare",
    "Comparison",
    "Movement",
    "members",
    "Year",
    "Kind",
    "Band",
    "World",
    "National",
    "Sort",
    "Order",
    "ascending",
    "descending",
    "Before",
    "After",
    "Weight",
    "Metric",
    "Result",
    "Published",
    "published",
    "Recompute",
    "Report",
    "report",
    "filter",
    "table",
    "tables",
    "institutions",
    "counted",
    "yes",
    "missing",
    "Back",
    "Field",
    "Why",
    "SDG",
    "SDGs",
    "progressed",
    "maintained",
    "declined",
    "What",
    "Language",
    "built",
    "imported",
    "taking",
    "scaled",
    "Scaled",
    "Best",
    "best",
    # the command line's words (tests/cli/test_cli_languages.py)
    "before",
    "after",
    "metric",
    "weight",
    "overall",
    "submitted",
    "improvement",
    "rows",
    "banded",
    "proposed",
    "matches",
    "target",
    "year",
    "kind",
    "wrote",
    "reach",
    # the portal's words (tests/portal/test_portal_i18n.py)
    "Sign",
    "Password",
    "password",
    "Save",
    "Submit",
    "Upload",
    "Invite",
    "Members",
    "Role",
    "Team",
    "Warnings",
    "Title",
    "Remove",
    "Add",
    "Audit",
    "Outbox",
    "Progress",
    "Exports",
    "Conflicts",
    "account",
    "Change",
    "never",
    "Forgot",
    "draft",
    "locked",
    "Eligible",
    "assess",
    "Value",
    "Numerator",
    "Denominator",
    "Who",
    "When",
    "Review",
    "review",
    "queue",
    "Evidence",
    "Confirm",
    "Accept",
    "Created",
    "Expires",
    "revoked",
    "Attempts",
    "Subject",
    "State",
    "Results",
)
