"""One time format on every page, GOV.UK style: "6:14pm", "9am", "midnight", "midday"."""

import datetime as dt
import zoneinfo

import pytest
from django.template import Context, Template

from iomshare.web.govuk_dates import govuk_datetime, govuk_time

LONDON = zoneinfo.ZoneInfo("Europe/London")


@pytest.mark.parametrize(
    ("hour", "minute", "shown"),
    [
        (18, 14, "6:14pm"),
        (9, 0, "9am"),
        (0, 0, "midnight"),
        (12, 0, "midday"),
        (0, 5, "12:05am"),
        (12, 30, "12:30pm"),
    ],
)
def test_times_are_written_the_govuk_way(hour, minute, shown):
    assert govuk_time(dt.time(hour, minute)) == shown


def test_an_aware_time_is_shown_in_london_time():
    summer_evening = dt.datetime(2026, 7, 1, 17, 14, tzinfo=dt.UTC)  # 6:14pm British Summer Time
    assert govuk_time(summer_evening) == "6:14pm"
    assert govuk_datetime(summer_evening) == "1 July 2026 at 6:14pm"
    assert govuk_datetime(summer_evening, "j M Y") == "1 Jul 2026 at 6:14pm"


def test_no_value_shows_nothing():
    assert govuk_time(None) == "" and govuk_datetime(None) == ""


def test_every_template_has_the_filters_without_loading_them():
    at = dt.datetime(2026, 3, 27, 0, 0, tzinfo=LONDON)
    rendered = Template("{{ at|govuk_datetime }}; {{ at|govuk_time }}").render(Context({"at": at}))
    assert rendered == "27 March 2026 at midnight; midnight"
