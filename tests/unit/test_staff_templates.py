"""Every staff form that posts carries the CSRF token field."""

from __future__ import annotations

import re

from survey_service.web.templating import TEMPLATES


def test_every_posting_staff_form_includes_the_csrf_field() -> None:
    forms = 0
    for path in sorted((TEMPLATES / "staff").glob("*.html")):
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", path.read_text(), flags=re.S):
            forms += 1
            assert "{{ csrf_input | safe }}" in form, f"{path.name}: a post form without csrf_input"
    assert forms >= 15
