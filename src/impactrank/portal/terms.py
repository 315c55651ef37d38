"""The words of the portal's data that its pages show — states, pillars, roles, kinds, verdicts, review statuses: stored
and served by the API in English, shown by the templates' ``term`` filter in the reader's language. Listed here
so that ``make catalogs`` gathers them."""

from __future__ import annotations

from impactrank.i18n import N_

TERMS = (
    # cycles, records and submissions
    N_("open"),
    N_("review"),
    N_("published"),
    N_("draft"),
    N_("complete"),
    N_("submitted"),
    N_("not started"),
    N_("in review"),
    N_("revision"),
    # kinds of metric
    N_("number"),
    N_("rate"),
    N_("evidence"),
    # the methodology's pillars
    N_("research"),
    N_("teaching"),
    N_("outreach"),
    N_("stewardship"),
    # roles
    N_("operator"),
    N_("reviewer"),
    N_("admin"),
    N_("contributor"),
    N_("observer"),
    # review statuses and verdicts, corrections
    N_("missing"),
    N_("revision requested"),
    N_("no data"),
    N_("unassessed"),
    N_("resubmitted"),
    N_("accepted"),
    N_("rejected"),
    N_("pending"),
    N_("approved"),
    # the outbox
    N_("sent"),
    N_("sending (unconfirmed)"),
    N_("waiting"),
)
