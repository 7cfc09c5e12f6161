import re

import pytest

from iomshare.exchange.problems import PROBLEM_CONTENT_TYPE
from iomshare.people import api as people_api


def test_the_openapi_document_lists_every_path_and_the_bearer_scheme(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert set(document["paths"]) >= {
        "/api/v1/me",
        "/api/v1/persons",
        "/api/v1/persons/{person_id}",
        "/api/v1/persons/{person_id}/items",
        "/api/v1/items/{item_id}",
    }
    assert set(document["paths"]["/api/v1/persons/{person_id}/items"]) == {"get", "post"}
    schemes = document["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= next(iter(schemes.values())).items()
    for operations in document["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{name: []} for name in schemes]
            assert set(operation["responses"]["401"]["content"]) == {PROBLEM_CONTENT_TYPE}


def test_the_docs_page_runs_only_our_own_scripts(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', html)
    assert sources and all(src.startswith("/static/ninja/") for src in sources)
    # The only inline <script> is a JSON data block, which browsers never execute.
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline == [' type="application/json" id="swagger-settings"']
    assert "http://" not in html and "https://" not in html
    for src in sources:
        assert client.get(src).status_code == 200


def test_an_unexpected_error_is_a_500_problem_that_leaks_nothing(police_api, person, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("database password is hunter2 at /srv/secret.py")

    monkeypatch.setattr(people_api, "person_or_404", broken)
    response = police_api.get(f"/persons/{person.id}")
    assert response.status_code == 500
    assert response["Content-Type"] == PROBLEM_CONTENT_TYPE
    problem = response.json()
    assert problem["status"] == 500 and problem["request_id"] == response["X-Request-ID"]
    assert "hunter2" not in response.content.decode() and "Traceback" not in response.content.decode()
    assert "hunter2" in caplog.text  # the operator still sees what happened


@pytest.mark.parametrize(
    ("status", "title"), [(401, "Authentication needed"), (404, "Not found"), (422, "not valid")]
)
def test_every_problem_has_the_rfc_9457_members(police_api, anonymous_api, status, title):
    response = {
        401: lambda: anonymous_api.get("/me"),
        404: lambda: police_api.get("/persons/6f1c1d35-0d0b-4f55-a8a2-3d1f9b3a0e11"),
        422: lambda: police_api.get("/persons"),
    }[status]()
    problem = response.json()
    assert response.status_code == problem["status"] == status
    assert {"type", "title", "status", "detail", "instance"} <= set(problem)
    assert title in problem["title"]
    assert problem["type"].startswith("https://iomshare.example/problems/")
