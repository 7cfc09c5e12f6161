"""A small partnership with items recorded long ago, and master keys of the tests' own."""

import datetime as dt

import pytest
from django.utils import timezone

from iomshare.partnership.models import Role
from iomshare.records.models import Category
from iomshare.retention.models import RetentionSchedule
from tests.factories import InformationItemFactory, StaffMemberFactory


@pytest.fixture(autouse=True)
def own_master_keys(settings, tmp_path):
    """Disposal rotates the master key file: never the shared one under var/."""
    settings.IOMSHARE_MASTER_KEY_FILE = tmp_path / "master_keys"
    from iomshare.records import sealing

    sealing.key_cache.clear()
    yield
    sealing.key_cache.clear()


@pytest.fixture
def police_lead(police):
    return StaffMemberFactory(
        username="police.ig", agency=police, role=Role.IG_LEAD, first_name="Imogen", last_name="Grey"
    )


@pytest.fixture
def probation_lead(probation):
    return StaffMemberFactory(
        username="probation.ig", agency=probation, role=Role.IG_LEAD, first_name="Pat", last_name="Reed"
    )


def category(code: str) -> Category:
    return Category.objects.get(code=code)


def on(day: dt.date) -> dt.datetime:
    """Noon on `day`, local time: when a test item was recorded."""
    return dt.datetime.combine(day, dt.time(12), tzinfo=timezone.get_current_timezone())


def item(*, person, agency, code: str, recorded: dt.date, **extra):
    """An item held by `agency`, recorded on `recorded` (with its accuracy review a year later)."""
    return InformationItemFactory(
        person=person,
        holding_agency=agency,
        category=category(code),
        recorded_at=on(recorded),
        valid_from=recorded,
        review_by=recorded + dt.timedelta(days=365),
        **extra,
    )


def schedule(code: str, **fields) -> RetentionSchedule:
    """Change the partnership default for `code` (seeded by migration) for one test."""
    found = RetentionSchedule.objects.get(category__code=code, holding_agency__isnull=True)
    for name, value in fields.items():
        setattr(found, name, value)
    found.save()
    return found
