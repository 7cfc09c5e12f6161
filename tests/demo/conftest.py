import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The demo hashes its one password per load; a slow hasher would only slow the tests down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def generated_items():
    """The items the generator wrote: every item but those the demo's casework records on top (the
    minutes of its past meetings and what its informal exchanges agreed, docs/casework.md)."""
    from iomshare.casework.models import AgendaPerson
    from iomshare.records.models import InformationItem
    from iomshare.service_referrals.models import InformalExchange

    casework = {
        *AgendaPerson.objects.exclude(minutes_item_id=None).values_list("minutes_item_id", flat=True),
        *InformalExchange.objects.values_list("item_id", flat=True),
    }
    return InformationItem.objects.exclude(pk__in=casework)
