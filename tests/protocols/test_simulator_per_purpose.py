"""The simulator shows, per party, role and purpose, what a draft would open or close.

Issue 12 point 8: adding a purpose to a draft reported "Nobody would see anything more or less",
because the simulator took the most each recipient could see over all purposes together.
"""

import pytest

from iomshare.partnership.models import Role
from iomshare.protocols import services, simulator
from iomshare.protocols.models import Purpose
from tests.factories import InformationItemFactory, StaffMemberFactory, active_protocol

pytestmark = pytest.mark.django_db


@pytest.fixture
def police_lead(police):
    return StaffMemberFactory(username="police.ig", agency=police, role=Role.IG_LEAD)


@pytest.fixture
def probation_lead(probation):
    return StaffMemberFactory(username="probation.ig", agency=probation, role=Role.IG_LEAD)


def test_adding_a_purpose_shows_what_becomes_visible_for_that_purpose(
    police_lead, probation_lead, person, police
):
    current = active_protocol()  # police share offending history for risk management
    InformationItemFactory.create_batch(2, person=person, holding_agency=police, category__code="offending")
    draft = services.new_version(current, by=police_lead)
    draft.purposes.add(Purpose.objects.get(code="accommodation"))
    changes = simulator.simulate(draft).changes
    gained = [c for c in changes if c.purpose == "Accommodation pathway" and c.role == "Practitioners"]
    assert [(c.recipient, c.holding_agency, c.before, c.after, c.items_now_visible) for c in gained] == [
        ("Probation Service North", "Northshire Police", "Nothing", "OFFICIAL", 2)
    ]
    assert {c.purpose for c in changes} == {"Accommodation pathway"}  # risk management is unchanged


def test_removing_a_purpose_shows_what_becomes_invisible_for_it(police_lead, probation_lead, person, police):
    current = active_protocol(purposes=["risk_management", "accommodation"])
    InformationItemFactory(person=person, holding_agency=police, category__code="offending")
    draft = services.new_version(current, by=police_lead)
    draft.purposes.remove(Purpose.objects.get(code="accommodation"))
    lost = [c for c in simulator.simulate(draft).changes if c.role == "Practitioners"]
    assert [(c.purpose, c.before, c.after, c.items_now_invisible) for c in lost] == [
        ("Accommodation pathway", "OFFICIAL", "Nothing", 1)
    ]
