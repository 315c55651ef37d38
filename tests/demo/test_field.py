"""One generated field: any methodology, any size, inputs that pass validation and build."""

from pathlib import Path

from impactrank.demo import generate_field
from impactrank.io.build import build
from impactrank.methodology import load_methodology

FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_generate_field_is_generic_and_valid(tmp_path, write_field):
    """Any methodology (here the five-SDG test one), any size; the inputs pass validation and build."""
    mini = load_methodology(FIXTURES / "mini.yaml")
    field = generate_field(mini, 500, seed=3, eligible_share=0.8)
    assert field.institutions.height == 500
    assert set(field.submissions["sdg"].unique()) <= {s.sdg for s in mini.sdgs}
    edition = build(*write_field(field, tmp_path, 0), methodology=mini).edition
    assert edition.overall.height == 400
    assert generate_field(mini, 500, seed=3, eligible_share=0.8).submissions.equals(field.submissions)


def test_generate_field_bundled_methodology(tmp_path, write_field):
    field = generate_field(load_methodology("the-2021"), 3000, seed=11)
    edition = build(*write_field(field, tmp_path, 2021), methodology="the-2021").edition
    assert edition.overall.height == round(3000 * 1115 / 1240)
    assert field.institutions["country"].n_unique() > 60
