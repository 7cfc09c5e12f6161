"""Property test: what the person page and the API show agrees with a plain reference, item for item.

Random partnerships (protocol clauses, staff with any role, training, vetting and agency assurance)
and random items (any holding agency, category, sensitivity, handling code, restriction) are
generated; every staff member then reads the person through the web page and through the API for a
purpose, and each answer is compared with the reference in tests/protocols/test_decision_properties
(written from docs/protocols.md, not from the code) plus the record-level rules written out below.
"""

import datetime as dt
import re

from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase

from iomshare.partnership.models import Role
from iomshare.partnership.tokens import issue_token
from iomshare.records.models import Category, HandlingCode
from tests.factories import CohortMembershipFactory, InformationItemFactory, PersonFactory
from tests.protocols.test_decision_properties import (
    CATEGORIES,
    Viewer,
    build_database_partnership,
    database_partnerships,
    reference_cleared,
    reference_level,
)

PURPOSE = "risk_management"
ITEM_ID = re.compile(r'id="item-([0-9a-f-]{36})"')


def reference_offers_purpose(viewer: Viewer, clauses) -> bool:
    """The page offers a purpose when a clause for it shares with the viewer's agency and role."""
    return any(
        PURPOSE in clause.purposes
        and viewer.agency in clause.recipient_agency_ids
        and (clause.volunteers_may_receive if viewer.is_volunteer else viewer.role in clause.recipient_roles)
        for clause in clauses
    )


def reference_visible(viewer: Viewer, item: dict, clauses, assurance, *, with_purpose: bool) -> bool:
    """Whether `viewer` may see `item` (a plain dict): the grid's level plus the record-level rules."""
    own = item["agency"] == viewer.agency
    if item["restricted"] and not (own and viewer.role == Role.IG_LEAD):
        return False
    if not own and item["handling"] == HandlingCode.NO_ONWARD_SHARING:
        return False
    if own:
        return item["sensitivity"] <= reference_cleared(viewer)
    if not with_purpose:
        return False
    level = reference_level(
        viewer, item["agency"], item["category"], PURPOSE, clauses, assurance, frozenset()
    )
    return item["sensitivity"] <= level


def reference_may_know(viewer: Viewer, lead_agency: int, items: list[dict], clauses, assurance) -> bool:
    """Whether `viewer` may know the person at all (docs/protocols.md, "Who may know a person, and what about them"): a
    volunteer only the people allocated to them (none here); anyone else a person their own agency
    knows (it leads the cohort membership or holds an item) or whose membership is led by an agency
    that shares anything with them under a clause in force."""
    if viewer.is_volunteer:
        return False
    if viewer.agency == lead_agency or any(item["agency"] == viewer.agency for item in items):
        return True
    return any(
        reference_level(viewer, lead_agency, category, PURPOSE, clauses, assurance, frozenset()) > 0
        for category in CATEGORIES
    )


item_specs = st.lists(
    st.fixed_dictionaries(
        {
            "agency": st.sampled_from(["alpha", "beta", "gamma"]),
            "category": st.sampled_from(CATEGORIES),
            "sensitivity": st.sampled_from([1, 2]),
            "handling": st.sampled_from(
                [HandlingCode.SHAREABLE, HandlingCode.SHAREABLE, HandlingCode.NO_ONWARD_SHARING]
            ),
            "restricted": st.sampled_from([False, False, False, True]),
        }
    ),
    min_size=1,
    max_size=14,
)


def read_through_the_api(member, person):
    _, secret = issue_token(for_staff=member, name="property test", by=None)
    return Client().get(
        f"/api/v1/persons/{person.pk}/items",
        {"purpose": PURPOSE, "limit": 100},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )


def read_the_page(member, person):
    browser = Client()
    browser.force_login(member)
    return browser.get(f"/cohort/people/{person.pk}/", {"purpose": PURPOSE})


class TestWhatPeopleSeeAgreesWithTheReference(TestCase):
    cases = 0
    unknown = 0  # viewers for whom the person does not exist

    # Derandomized: the same examples in every run, so the case count below cannot vary run to run.
    @settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
    @given(database_partnerships(), item_specs)
    def test_the_page_and_the_api_show_exactly_what_the_reference_allows(self, partnership, items):
        agencies, members, viewers, clauses, assurance = build_database_partnership(
            partnership, timezone.localdate()
        )
        person = PersonFactory()
        CohortMembershipFactory(person=person, lead_agency=agencies["alpha"])
        made = []
        for spec in items:
            item = InformationItemFactory(
                person=person,
                holding_agency=agencies[spec["agency"]],
                category=Category.objects.get(code=spec["category"]),
                sensitivity=spec["sensitivity"],
                handling_code=spec["handling"],
                restricted_at=timezone.now() - dt.timedelta(days=1) if spec["restricted"] else None,
                restricted_reason="Accuracy disputed" if spec["restricted"] else "",
            )
            made.append((item, {**spec, "agency": agencies[spec["agency"]].pk}))
        specs = [spec for _, spec in made]
        for member, viewer in zip(members, viewers, strict=True):
            offered = reference_offers_purpose(viewer, clauses)
            api = read_through_the_api(member, person)
            page = None if member.role == Role.SYSTEM else read_the_page(member, person)  # systems: API only
            if not reference_may_know(viewer, agencies["alpha"].pk, specs, clauses, assurance):
                # A person the viewer may not know does not exist for them, through either door.
                assert api.status_code == 404, api.content
                assert page is None or page.status_code == 404
                type(self).unknown += 1
                continue
            expected = {
                str(item.pk)
                for item, spec in made
                if reference_visible(viewer, spec, clauses, assurance, with_purpose=True)
            }
            own_only = {
                str(item.pk)
                for item, spec in made
                if reference_visible(viewer, spec, clauses, assurance, with_purpose=False)
            }
            assert api.status_code == 200, api.content
            assert {row["id"] for row in api.json()["results"]} == expected
            assert api.json()["count"] == len(expected)
            type(self).cases += len(made)  # every item judged through the API

            if page is None:
                continue
            assert page.status_code == (200 if offered else 400)
            shown = set(ITEM_ID.findall(page.content.decode()))
            assert shown == (expected if offered else own_only)
            type(self).cases += len(made)  # and through the page

    @classmethod
    def tearDownClass(cls):
        super().tearDownClass()
        # Items times viewers, through both the page and the API: 123 with the examples drawn today (the
        # derandomized seed follows the test's source, so an edit draws others); the floor guards against
        # a run that judges almost nothing.
        assert cls.cases >= 100, cls.cases
        assert cls.unknown >= 5, cls.unknown  # and the "may know" rule was put to the test


def test_the_reference_sees_own_items_up_to_vetting_and_never_restricted_ones():
    viewer = Viewer(
        staff_id=1, agency=1, role=Role.PRACTITIONER, is_volunteer=False, courses=frozenset(), vetting=2
    )
    own = {
        "agency": 1,
        "category": "risk",
        "sensitivity": 2,
        "handling": HandlingCode.SHAREABLE,
        "restricted": False,
    }
    assert reference_visible(viewer, own, [], {1: 1}, with_purpose=False)
    assert not reference_visible(viewer, {**own, "restricted": True}, [], {1: 1}, with_purpose=False)
    assert not reference_visible(viewer, {**own, "agency": 2}, [], {1: 1, 2: 1}, with_purpose=True)
