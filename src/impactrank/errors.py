"""User-facing errors: what went wrong, where (file, row, field), so the CLI can print one clear line.

A message is a catalog entry (marked with ``N_``) whose ``%(name)s`` placeholders are filled from ``params``:
``str()`` is the English line, :meth:`InputError.text` the same line in a reader's language. A parameter that is
a :class:`Word` (a catalog entry itself) is translated with the message, a :class:`Count` written in the reader's
number format, :class:`Phrases` (catalog entries with their own parameters) each translated and joined by "; "; a
list or tuple is written as a list, "none" in the reader's language when empty."""

from __future__ import annotations

import dataclasses

from impactrank.i18n.catalogs import N_ as N_  # re-exported: the layers mark their error messages with it
from impactrank.i18n.catalogs import gettext, ngettext
from impactrank.i18n.formats import number

# Characters that would break the one line (str.splitlines breaks at each), shown escaped instead.
_LINE_BREAKS = str.maketrans({c: repr(c)[1:-1] for c in "\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"})


class Word(str):
    """A parameter that is a catalog entry (marked with ``N_`` where it is defined), worded with the message."""


class Count(int):
    """A parameter that is a quantity, grouped as the reader writes numbers (10,000; 10 000; 10.000): a plain int
    stays as it is, since many are years or ids."""


@dataclasses.dataclass(frozen=True)
class Phrases:
    """A parameter that is sentences of their own: (catalog entry, its parameters) pairs, each translated."""

    items: tuple[tuple[str, dict], ...]

    def text(self, locale: str) -> str:
        return "; ".join(gettext(m, locale) % worded(p, locale) if p else gettext(m, locale) for m, p in self.items)


def worded(params: dict, locale: str) -> dict:
    """``params`` as ``locale`` writes them: each :class:`Word` translated, each :class:`Count` in the locale's
    number format, each list joined ("none" if empty)."""
    none = gettext("none", locale)
    return {
        k: gettext(v, locale)
        if isinstance(v, Word)
        else number(v, locale)
        if isinstance(v, Count)
        else v.text(locale)
        if isinstance(v, Phrases)
        else (", ".join(map(str, v)) or none)
        if isinstance(v, list | tuple)
        else v
        for k, v in params.items()
    }


@dataclasses.dataclass
class InputError(Exception):
    """A problem with something the user gave us. The CLI prints it without a traceback and exits 2."""

    message: str
    file: str | None = None
    row: int | None = None
    field: str | None = None
    params: dict | None = dataclasses.field(default=None, kw_only=True)
    more: int = dataclasses.field(default=0, kw_only=True)  # other rows with the same problem

    def __post_init__(self) -> None:
        self.template = self.message  # the catalog entry; ``message`` is the English text
        if self.params:
            self.message = self.message % worded(self.params, "en")
        self.message += self._more("en")

    def _more(self, locale: str) -> str:
        """ " (22,620 more rows like this)" in ``locale``, its count in the reader's number format; "" for none."""
        if not self.more:
            return ""
        text = ngettext("(%(count)s more row like this)", "(%(count)s more rows like this)", self.more, locale)
        return " " + text % {"count": number(self.more, locale)}

    def text(self, locale: str = "en", located: bool = True) -> str:
        """The one line in ``locale``: where (file, row, field; unless not ``located``), then what."""
        message = gettext(self.template, locale)
        message = (message % worded(self.params, locale) if self.params else message) + self._more(locale)
        where = [
            part
            for part in (
                self.file,
                gettext("row %(row)s", locale) % {"row": self.row} if self.row is not None else None,
                gettext("field '%(field)s'", locale) % {"field": self.field} if self.field else None,
            )
            if part and located
        ]
        if where:  # French puts a no-break space before the colon
            message = gettext("%(where)s: %(message)s", locale) % {"where": ", ".join(where), "message": message}
        return message.translate(_LINE_BREAKS)  # one line, whatever the quoted data holds

    def __str__(self) -> str:
        return self.text("en")
