import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo hashes its one password per load; a slow hasher would only slow the tests down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
