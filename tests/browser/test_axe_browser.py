"""The accessibility measurement itself: on a page made with known faults, axe-core (as the browser tests run it)
names each of them, and on the same page made right, none."""

from __future__ import annotations

import pytest
from axe import run_axe

pytestmark = pytest.mark.browser

FAULTY = """<!doctype html><html><head><title>t</title></head><body><main>
<h1>Faults</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<form><input type="text" id="q"></form>
<p style="color:#aaa;background:#fff">pale text</p>
</main></body></html>"""
RIGHT = """<!doctype html><html lang="en"><head><title>t</title></head><body><main>
<h1>Faults</h1><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" alt="">
<form><label for="q">Search</label><input type="text" id="q"></form>
<p style="color:#595959;background:#fff">pale text</p>
</main></body></html>"""


def test_axe_names_each_known_fault(axe_browser):
    page = axe_browser.new_page()
    page.set_content(FAULTY)
    assert run_axe(page).counts() == {"html-has-lang": 1, "image-alt": 1, "label": 1, "color-contrast": 1}
    page.set_content(RIGHT)
    assert run_axe(page).counts() == {}
    page.close()
