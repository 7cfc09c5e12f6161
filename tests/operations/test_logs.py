"""Logs are JSON lines, each naming the request it was written for."""

import io
import json
import logging

import pytest

from iomshare.operations.logs import IomshareJsonFormatter, RequestIdFilter

pytestmark = pytest.mark.django_db


@pytest.fixture
def access_lines():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(IomshareJsonFormatter())
    handler.addFilter(RequestIdFilter())
    logger = logging.getLogger("iomshare.access")
    logger.addHandler(handler)
    old_level = logger.level
    logger.setLevel(logging.INFO)
    yield lambda: [json.loads(line) for line in stream.getvalue().splitlines()]
    logger.removeHandler(handler)
    logger.setLevel(old_level)


def test_each_request_is_logged_as_json_with_its_request_id_route_status_and_duration(client, access_lines):
    response = client.get("/healthz", headers={"X-Request-ID": "trace-me-12345"})
    assert response["X-Request-ID"] == "trace-me-12345"
    (line,) = access_lines()
    assert line["request_id"] == "trace-me-12345"
    assert (line["logger"], line["level"], line["route"], line["status"]) == (
        "iomshare.access",
        "INFO",
        "operations:healthz",
        200,
    )
    assert line["duration_ms"] >= 0 and "timestamp" in line


def test_a_line_logged_outside_a_request_has_an_empty_request_id(access_lines):
    logging.getLogger("iomshare.access").info("outside")
    assert access_lines()[0]["request_id"] == ""
