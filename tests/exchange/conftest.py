"""Fixtures for the machine API: tokens for the shared partnership's staff, and a JSON client."""

from __future__ import annotations

import json

import pytest

from iomshare.partnership.tokens import issue_token


class ApiClient:
    """Django's test client speaking JSON to /api/v1/ with a bearer token (or none)."""

    def __init__(self, client, secret: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {secret}"} if secret else {}

    def get(self, path: str, params: dict | None = None, **headers):
        return self.client.get("/api/v1" + path, params or {}, headers=self.headers | headers)

    def post(self, path: str, body, **headers):
        data = body if isinstance(body, str) else json.dumps(body)
        return self.client.post(
            "/api/v1" + path, data, content_type="application/json", headers=self.headers | headers
        )


@pytest.fixture
def officer_token(officer):
    _token, secret = issue_token(for_staff=officer, name="police case system", by=None)
    return secret


@pytest.fixture
def probation_token(probation_officer):
    _token, secret = issue_token(for_staff=probation_officer, name="probation case system", by=None)
    return secret


@pytest.fixture
def police_api(client, officer_token):
    return ApiClient(client, officer_token)


@pytest.fixture
def probation_api(client, probation_token):
    return ApiClient(client, probation_token)


@pytest.fixture
def anonymous_api(client):
    return ApiClient(client, None)
