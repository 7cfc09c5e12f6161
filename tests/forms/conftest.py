import copy
import json

import pytest

from iomshare.forms.definitions import STARTER_DEFINITIONS_DIR
from iomshare.forms.models import FormDefinition
from iomshare.partnership.models import Role
from tests.factories import StaffMemberFactory


@pytest.fixture
def contact_record(db):
    return FormDefinition.objects.get(code="contact_record", version=1)


@pytest.fixture
def risk_summary(db):
    return FormDefinition.objects.get(code="risk_summary", version=1)


@pytest.fixture
def starter():
    """A fresh copy of a starter definition document, to change in a test."""

    def load(code: str) -> dict:
        return copy.deepcopy(json.loads((STARTER_DEFINITIONS_DIR / f"{code}.json").read_text()))

    return load


@pytest.fixture
def manager(police):
    return StaffMemberFactory(username="manager", agency=police, role=Role.PARTNERSHIP_MANAGER)
