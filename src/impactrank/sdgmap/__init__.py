"""SDG research mapping: a Scopus-syntax query engine and the ranking's research metrics.

The layers: ``parser`` turns query text into an ``ast``; ``loaders`` read query systems (Aurora XML,
text2sdg-style tables); ``matcher`` compiles a query set once and labels a document, ``batch`` a batch of
documents at once with the same lines; ``classify``, ``evaluate``, ``research`` and ``distributed`` are the jobs
built on them.
"""

from impactrank.sdgmap.ast import And, AndNot, Field, Near, Node, Or, Term, to_query
from impactrank.sdgmap.parser import QuerySyntaxError, parse

__all__ = [
    "And",
    "AndNot",
    "Field",
    "Near",
    "Node",
    "Or",
    "QuerySyntaxError",
    "Term",
    "parse",
    "to_query",
]
