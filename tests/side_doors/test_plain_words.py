"""The raw-code check the crawler runs on every page can fail: each pattern is caught, in what a
person reads only (links and form values may carry codes)."""

from django.http import HttpResponse

from tests.side_doors.plain_words import raw_codes


def _found(html: str, url: str = "/people/") -> list[str]:
    return raw_codes(url, HttpResponse(html), html.encode())


def test_a_protocol_reference_is_caught():
    assert _found("<p>Shared under protocol:northshire-iom-core:v1:clause:3</p>")


def test_a_snake_case_purpose_is_caught_in_text_but_not_in_links_or_form_values():
    assert _found("<td>volunteering_placement</td>")
    assert not _found('<a href="?purpose=volunteering_placement">Volunteering placement</a>')
    assert not _found('<option value="risk_management">Risk management</option>')


def test_a_strftime_directive_is_caught():
    assert _found("<p>Dates must be in the form %d/%m/%Y</p>")


def test_dotted_and_capital_times_are_caught():
    for text in ("6:14p.m.", "3:51 a.m.", "6:14 PM", "at noon"):
        assert _found(f"<p>{text}</p>"), text
    assert not _found("<p>6:14pm, midnight and midday</p>")


def test_code_blocks_allowed_names_and_other_content_types_are_not_checked():
    assert not _found("<pre>probability_two_random_records_match</pre>")
    assert not raw_codes("/people/", HttpResponse("{}", content_type="application/json"), b"risk_management")
    assert not raw_codes(
        "/x/",
        HttpResponse("<p>probation_system</p>"),
        b"<p>probation_system</p>",
        frozenset({"probation_system"}),
    )
