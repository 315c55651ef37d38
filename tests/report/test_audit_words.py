"""Every candidate model of the audit has its description in the catalog, so no model the engine adds is left
without words in a French or Spanish audit."""

from __future__ import annotations

from impactrank.engine.published.audit.models import MODELS
from impactrank.i18n import gettext
from impactrank.report import audit_words


def test_every_model_is_described_in_each_language():
    assert sorted(audit_words.MODELS) == list(MODELS)  # the registry lists its names sorted
    for name, words in audit_words.MODELS.items():
        assert " ".join((MODELS[name].__doc__ or "").split()) == words, name  # the docstring, word for word
        assert gettext(words, "fr") != words and gettext(words, "es") != words, name
