import pytest

from iomshare.errors import InvalidInput, NotPermitted
from iomshare.partnership.models import Role
from iomshare.people.models import Tier
from iomshare.vocabulary.models import Concept, LocalTerm
from iomshare.vocabulary.services import map_local_term, resolve
from tests.factories import StaffMemberFactory


def codes(scheme):
    return list(
        Concept.objects.filter(scheme__code=scheme).order_by("position").values_list("code", flat=True)
    )


def test_the_starter_vocabulary_has_the_seven_rehabilitation_pathways(db):
    assert codes("pathway") == [
        "accommodation",
        "education_training_employment",
        "health",
        "drugs_and_alcohol",
        "finance_benefit_debt",
        "children_and_families",
        "attitudes_thinking_behaviour",
    ]


def test_risk_of_serious_harm_levels_run_from_low_to_very_high(db):
    assert codes("rosh_level") == ["low", "medium", "high", "very_high"]


def test_iom_tiers_in_the_vocabulary_are_the_tiers_cohorts_use(db):
    assert set(codes("iom_tier")) == set(Tier.values)


def test_every_starter_concept_has_a_definition(db):
    assert not Concept.objects.filter(definition="").exists()


def test_da_means_a_perpetrator_at_the_police_and_a_victim_at_the_council(mapped):
    assert resolve(mapped["police"], "warning_marker", "DA").code == "domestic_abuse_perpetrator"
    assert resolve(mapped["council"], "warning_marker", "DA").code == "domestic_abuse_victim"


def test_codes_match_whatever_their_case_and_surrounding_spaces(mapped):
    assert resolve(mapped["probation"], "contact_outcome", "  attc ").code == "attended_complied"


def test_a_standard_code_is_accepted_without_a_mapping(mapped):
    assert resolve(mapped["police"], "rosh_level", "very_high").code == "very_high"


def test_a_code_mapped_to_nothing_is_refused_and_the_standard_codes_are_listed(mapped):
    with pytest.raises(InvalidInput) as error:
        resolve(mapped["police"], "rosh_level", "VH")
    assert "'VH' is not a code of risk of serious harm levels" in error.value.message
    assert "Northshire Police has not mapped it" in error.value.message
    assert "low, medium, high, very_high" in error.value.message


def test_a_code_mapped_to_two_concepts_is_refused_naming_both(mapped):
    with pytest.raises(InvalidInput) as error:
        resolve(mapped["charity"], "contact_outcome", "DNA")
    message = error.value.message
    assert "mapped by Second Chance Mentoring to 2 different contact outcomes" in message
    assert "failed_to_attend_acceptable" in message and "failed_to_attend_unacceptable" in message


def test_an_unknown_scheme_is_refused(mapped):
    with pytest.raises(InvalidInput, match="no vocabulary scheme with the code 'moods'"):
        resolve(mapped["police"], "moods", "happy")


def test_an_empty_code_is_refused(mapped):
    with pytest.raises(InvalidInput, match="No code was given for contact outcomes"):
        resolve(mapped["probation"], "contact_outcome", "  ")


def test_an_ig_lead_maps_their_own_agencys_code(police, police_ig):
    term = map_local_term(
        by=police_ig, agency=police, scheme="rosh_level", local_code="VH", concept="very_high"
    )
    assert resolve(police, "rosh_level", "vh") == term.concept


def test_mapping_a_mapped_code_to_a_second_concept_is_refused_and_changes_nothing(mapped, police_ig):
    before = LocalTerm.objects.count()
    with pytest.raises(InvalidInput, match="would make it ambiguous"):
        map_local_term(
            by=police_ig,
            agency=mapped["police"],
            scheme="warning_marker",
            local_code="da",
            concept="domestic_abuse_victim",
        )
    assert LocalTerm.objects.count() == before


def test_an_ig_lead_cannot_map_another_agencys_codes(mapped, police_ig):
    with pytest.raises(NotPermitted):
        map_local_term(
            by=police_ig, agency=mapped["council"], scheme="rosh_level", local_code="H", concept="high"
        )


def test_a_practitioner_cannot_map_codes(police, officer):
    with pytest.raises(NotPermitted):
        map_local_term(by=officer, agency=police, scheme="rosh_level", local_code="H", concept="high")


def test_mapping_to_a_concept_that_does_not_exist_is_refused(police, police_ig):
    with pytest.raises(InvalidInput, match="'extreme' is not a code of risk of serious harm levels"):
        map_local_term(by=police_ig, agency=police, scheme="rosh_level", local_code="X", concept="extreme")


def test_an_administrator_maps_any_agencys_code(mapped):
    admin = StaffMemberFactory(agency=mapped["council"], role=Role.ADMIN)
    map_local_term(by=admin, agency=mapped["police"], scheme="rosh_level", local_code="HI", concept="high")
    assert resolve(mapped["police"], "rosh_level", "HI").code == "high"
