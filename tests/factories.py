"""factory_boy factories for the core models (synthetic data only)."""

import datetime as dt

import factory
from django.utils import timezone

from iomshare.partnership.models import (
    Agency,
    AssuranceLevel,
    Role,
    StaffMember,
    TrainingRecord,
    VettingLevel,
)
from iomshare.people.models import AgencyIdentifier, CohortMembership, Person, Tier
from iomshare.records.models import Category, InformationItem, Sensitivity

TEST_PASSWORD = "correct horse battery staple"


class AgencyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agency
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"agency-{n}")
    name = factory.Sequence(lambda n: f"Agency {n}")
    kind = "police"
    is_statutory = True
    assurance_level = AssuranceLevel.CYBER_ESSENTIALS_PLUS
    assurance_expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=365))


class StaffMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = StaffMember
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"staff{n}")
    first_name = "Sam"
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    agency = factory.SubFactory(AgencyFactory)
    role = Role.PRACTITIONER
    password = factory.django.Password(TEST_PASSWORD)
    # Vetted to see OFFICIAL-SENSITIVE items (rules.VETTING_NEEDED); tests of vetting set their own.
    vetting_level = VettingLevel.NPPV2
    vetting_expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=730))


class TrainingRecordFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TrainingRecord

    staff_member = factory.SubFactory(StaffMemberFactory)
    course = "information_sharing"
    completed_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=30))
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=335))


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    given_name = "Alex"
    family_name = factory.Sequence(lambda n: f"Person{n}")
    date_of_birth = dt.date(1990, 5, 17)


class AgencyIdentifierFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AgencyIdentifier

    person = factory.SubFactory(PersonFactory)
    agency = factory.SubFactory(AgencyFactory)
    scheme = "local"
    value = factory.Sequence(lambda n: f"LOCAL-{n}")


class CohortMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortMembership

    person = factory.SubFactory(PersonFactory)
    tier = Tier.FIXED
    lead_agency = factory.SubFactory(AgencyFactory)
    started_on = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=100))


class CategoryFactory(factory.django.DjangoModelFactory):
    """Categories are seeded by migration; this fetches one by code (or makes it)."""

    class Meta:
        model = Category
        django_get_or_create = ("code",)

    code = "contact"
    name = factory.LazyAttribute(lambda o: o.code.replace("_", " ").capitalize())


class InformationItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InformationItem

    person = factory.SubFactory(PersonFactory)
    holding_agency = factory.SubFactory(AgencyFactory)
    author = factory.SubFactory(StaffMemberFactory, agency=factory.SelfAttribute("..holding_agency"))
    category = factory.SubFactory(CategoryFactory)
    sensitivity = Sensitivity.OFFICIAL
    summary = factory.Sequence(lambda n: f"Synthetic item {n}")
    valid_from = factory.LazyFunction(lambda: timezone.localdate() - dt.timedelta(days=10))
    review_by = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))


# --- protocols: documents in the YAML form (docs/protocols.md), and a helper to put one in force ---


class ClauseDocumentFactory(factory.DictFactory):
    """One clause of a protocol document: police share offending history with practitioners."""

    shared_by = "police"
    categories = factory.LazyFunction(lambda: ["offending"])
    max_sensitivity = "OFFICIAL"
    recipient_roles = factory.LazyFunction(lambda: ["practitioner"])
    conditions = factory.LazyFunction(
        lambda: {"training": ["information_sharing"], "minimum_assurance": "self_assessed"}
    )


class ProtocolDocumentFactory(factory.DictFactory):
    """A valid protocol document between agencies coded `police` and `probation`."""

    iomshare_protocol = 1
    reference = factory.Sequence(lambda n: f"test-protocol-{n}")
    title = factory.Sequence(lambda n: f"Test protocol {n}")
    summary = "Police and probation share what risk management needs."
    owner = "police"
    parties = factory.LazyFunction(lambda: ["police", "probation"])
    purposes = factory.LazyFunction(lambda: ["risk_management"])
    legal_gateways = factory.LazyFunction(lambda: ["cda-1998-s115", "dpa-2018-part-3"])
    review_on = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=180))
    retention_days = 365
    agreement = factory.LazyFunction(
        lambda: {
            "lawful_basis": "DPA 2018 Part 3.",
            "transparency": "Privacy notices name IOM sharing.",
            "individual_rights": "Each party answers requests for what it holds.",
            "security": "Only in iomshare.",
            "retention_and_deletion": "One year.",
            "breach_procedure": "Tell the holding agency within 24 hours.",
            "termination": "One month's notice.",
        }
    )
    clauses = factory.List([factory.SubFactory(ClauseDocumentFactory)])


def active_protocol(document: dict | None = None, **overrides):
    """Draft `document` (default: a ProtocolDocumentFactory) and have every party's IG lead approve it.

    Agencies named in the document must exist; an IG lead is created for any party without one.
    """
    from iomshare.protocols import services, yaml_format

    document = document if document is not None else ProtocolDocumentFactory(**overrides)
    protocol = services.draft_protocol(yaml_format.validate(document), by=None)
    for agency in protocol.parties.all():
        lead = StaffMember.objects.filter(agency=agency, role=Role.IG_LEAD).first()
        lead = lead or StaffMemberFactory(agency=agency, role=Role.IG_LEAD, username=f"{agency.code}.ig")
        services.approve_protocol(protocol, by=lead)
    protocol.refresh_from_db()
    return protocol


def access_review_date() -> dt.date:
    """A review date for an access-list entry: required, and in the future (90 days from today)."""
    return timezone.localdate() + dt.timedelta(days=90)
