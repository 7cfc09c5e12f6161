"""Fixtures of the health check tests: the generated partnership (tests.health.generated)."""

import pytest

from tests.health.generated import make_partnership


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def partnership(db):
    return make_partnership()
