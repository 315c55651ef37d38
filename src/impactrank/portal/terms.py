"""The words of the portal's data that its pages show — states, pillars, roles, kinds, verdicts, review statuses: stored
and served by the API in English, shown by the templates' ``term`` filter in the reader's language. Listed here
so that ``make catalogs`` gathers them."""

from __future__ import annotations

from impactrank.i18n import N_
from impactrank.portal.forms import RUBRIC_QUESTIONS

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

# the denominators of the methodology's rates, by id, as a person names them
UNITS = {
    "graduates": N_("graduates"),
    "fte_students": N_("students (full-time equivalent)"),
    "new_entrants": N_("new entrants"),
    "employees": N_("employees"),
    "fte_campus_population": N_("campus population (full-time equivalent)"),
    "total_waste_tonnes": N_("tonnes of waste"),
    "total_expenditure": N_("total expenditure"),
    "total_energy_gj": N_("GJ of energy used"),
    "senior_academic_staff": N_("senior academic staff"),
    "fte_academic_staff": N_("academic staff (full-time equivalent)"),
    "floor_area_m2": N_("m² of floor area"),
}


def unit_name(unit: str) -> str:
    """A denominator's words (a catalog entry, to translate): one this list does not know reads as its id does."""
    return UNITS.get(unit, unit.replace("_", " "))


# the fields a page's refusal names, by the words its form shows them with (the API names them by their ids)
FIELDS = {
    "value": N_("Value"),
    "numerator": N_("Numerator"),
    "denominator": N_("Denominator"),
    "acknowledge_warnings": N_("I have checked these warnings"),
    "version": N_("the version you saw"),
    "unavailable": N_("No data for this metric (scores zero)"),
    "file": N_("File"),
    "title": N_("Title"),
    "url": N_("Web address"),
    "date": N_("Date"),
    "note": N_("Note"),
    "verdict": N_("Verdict"),
    "email": N_("E-mail"),
    "password": N_("Password"),
    "state": N_("State"),
    "public": N_("Public"),
    **RUBRIC_QUESTIONS,
}

# a record's history in words (its codes stay in the operators' audit log, where they are filtered by)
ACTIONS = {
    "record.save": N_("saved"),
    "record.resubmit": N_("resubmitted after review"),
    "evidence.add": N_("evidence added"),
    "evidence.remove": N_("evidence removed"),
    "records.upload": N_("uploaded with other rows"),
    "assessment.accepted": N_("assessed: accepted"),
    "assessment.revision": N_("assessed: revision requested"),
    "assessment.rejected": N_("assessed: not accepted"),
    "correction.request": N_("correction requested"),
    "correction.approve": N_("correction approved"),
    "correction.reject": N_("correction rejected"),
    "deadline.extend": N_("deadline extended"),
}
N_("command line")  # the actor of a change made on the server's command line
