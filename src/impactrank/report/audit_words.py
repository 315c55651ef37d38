"""The audit's findings in words: the engine gives each a code and its figures (the kind of a tie or band
problem, why a row was left out of the formula check, a candidate model's name); these are their catalog
entries, translated where the report is written."""

from __future__ import annotations

from impactrank.i18n import N_

# a tie or band problem (engine.published.audit.consistency), filled with the finding's own fields
ISSUES = {
    "unmarked_tie": N_("shared position shown without “=”"),
    "marked_alone": N_("“=” shown on a position no other row shares"),
    "tie_scores_differ": N_("tied rows with different scores"),
    "score_ranges": N_("%(ranges)s different score ranges"),
    "positions_overlap": N_("positions overlap band %(other)s"),
    "scores_overlap": N_("scores overlap or exceed band %(other)s"),
    "above_ranked": N_("scores reach above the lowest individually ranked score"),
}

# why a row of the overall table is left out of the formula check (engine.published.audit.formula)
EXCLUDED = {
    "misaligned_columns": N_("SDG columns scattered by a scraper"),
    "no_overall_score": N_("no overall score"),
    "no_sdg17_score": N_("no SDG 17 score"),
    "not_three_scored_top_sdgs": N_("not three scored top SDGs"),
}

# each candidate model of the published overall score (engine.published.audit.models), as its docstring says it
MODELS = {
    "affine": N_(
        "Each SDG mapped by its own a + b × score, fitted by least squares (ridge towards a = 0, b = 1) to the "
        "exact rows; judged on leave-one-out residuals since it has two parameters per SDG."
    ),
    "displayed": N_("0.22 × SDG 17 + 0.26 × (sum of the top three) on the displayed scores."),
    "global_affine": N_(
        "One straight line α + β × (the displayed formula), fitted to the exact rows: a yardstick for how much a "
        "per-SDG model gains over rescaling the plain formula as a whole."
    ),
    "max100": N_("Each SDG scaled so the highest score the overall table shows for it is 100."),
    "minmax": N_("Each SDG scaled so the lowest score the overall table shows for it is 0 and the highest 100."),
    "normal_cdf": N_(
        "Each SDG z-scored over the table's scores in that SDG (ranges at their midpoints), then 100 × Φ(z)."
    ),
    "percentile": N_(
        "Each SDG score replaced by its percentile among the table's scores in that SDG. For a range, the low end "
        "counts only scores certainly below it and the high end every score possibly below it."
    ),
    "sdg_tables": N_(
        "THE's single-year rule: each SDG rescaled by min–max over its SDG table (every submitter; the highest "
        "displayed score and the low end of the last band's range, each ±0.05), then 0.22 × SDG 17 + 0.26 × (top "
        "three)."
    ),
    "sdg_tables_eligible": N_(
        "Min–max over the SDG-table scores of the institutions in the overall table only (their unknown minimum "
        "bounded by the bands that hold it)."
    ),
    "sdg_tables_max100": N_(
        "Each SDG scaled so the highest score of its SDG table is 100 (THE's 2019 wording), zero staying zero."
    ),
    "two_year_average": N_(
        "THE from 2023: the mean of this year's single-year score (sdg_tables) and last year's single-year score; "
        "an institution new to the overall table keeps its single-year score. Needs the previous edition."
    ),
}
