"""Babel's extractor for the methodology editions: each SDG's and metric's ``label`` (THE's names, shown in the
portal's forms and e-mails and by ``impactrank methodology show``) becomes a catalog entry, so that it is
translated like any interface string and read through ``catalogs.label`` in the reader's language. Registered in
babel.cfg; the edition's own title and its prose (description, sources) stay as written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import IO

import yaml


def _label(node: yaml.Node) -> yaml.ScalarNode | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "label" and isinstance(value, yaml.ScalarNode):
                return value
    return None


def _entry(label: yaml.ScalarNode) -> str:
    """The catalog entry of a label: a literal "%" doubled, as in every catalog message (``catalogs.label``)."""
    return label.value.replace("%", "%%")


def _items(node: yaml.Node, key: str) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        for k, value in node.value:
            if k.value == key and isinstance(value, yaml.SequenceNode):
                return value.value
    return []


def extract_labels(fileobj: IO[bytes], keywords, comment_tags, options) -> Iterator[tuple[int, None, str, list]]:
    """(line, funcname, message, comments) for every SDG and metric label of one methodology file."""
    root = yaml.compose(fileobj.read().decode("utf-8"))
    for sdg in _items(root, "sdgs"):
        label = _label(sdg)
        if label is not None:
            yield label.start_mark.line + 1, None, _entry(label), ["Translators: an SDG's name, as the UN names it."]
        for metric in _items(sdg, "metrics"):
            label = _label(metric)
            if label is not None:
                comment = "Translators: a metric of THE's Impact Rankings, as THE's methodology words it."
                yield label.start_mark.line + 1, None, _entry(label), [comment]
