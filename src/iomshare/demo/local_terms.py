"""The demo agencies' local codes for vocabulary concepts, and their loading (moved from vocabulary)."""

from __future__ import annotations

from collections.abc import Iterable

from iomshare.partnership.models import Agency
from iomshare.vocabulary.models import Concept, LocalTerm, Scheme

# The demo agencies' own codes for some concepts: (agency code, scheme, local code, local label, concept).
# Two conflicts are deliberate, to show what an information-governance lead must settle:
# "DA" means a perpetrator at the police and a victim at the council, and the charity's "DNA"
# ("did not attend") is mapped both to acceptable and to unacceptable absence.
DEMO_LOCAL_TERMS: list[tuple[str, str, str, str, str]] = [
    ("police", "warning_marker", "DA", "Domestic abuse", "domestic_abuse_perpetrator"),
    ("police", "warning_marker", "VI", "Violent", "violence"),
    ("police", "warning_marker", "WE", "Weapons", "weapons"),
    ("police", "warning_marker", "FI", "Firearms", "firearms"),
    ("police", "warning_marker", "DR", "Drugs", "drugs"),
    ("police", "warning_marker", "SU", "Suicidal", "self_harm"),
    ("police", "warning_marker", "MH", "Mental health", "mental_health"),
    ("police", "warning_marker", "ES", "Escaper", "escape_risk"),
    ("police", "offence_group", "BURG", "Burglary", "burglary"),
    ("police", "offence_group", "ROBB", "Robbery", "robbery"),
    ("police", "offence_group", "TFMV", "Theft from motor vehicle", "vehicle_offences"),
    ("police", "offence_group", "TOMV", "Theft of motor vehicle", "vehicle_offences"),
    ("police", "offence_group", "SHOP", "Shoplifting", "theft"),
    ("police", "offence_group", "VIOL", "Violence", "violence_against_the_person"),
    ("police", "offence_group", "DRUG", "Drugs", "drug_offences"),
    ("police", "contact_outcome", "SEEN", "Seen", "attended_complied"),
    ("police", "contact_outcome", "NOANS", "No answer", "not_seen"),
    ("probation", "rosh_level", "L", "Low", "low"),
    ("probation", "rosh_level", "M", "Medium", "medium"),
    ("probation", "rosh_level", "H", "High", "high"),
    ("probation", "rosh_level", "VH", "Very High", "very_high"),
    ("probation", "contact_outcome", "ATTC", "Attended - Complied", "attended_complied"),
    ("probation", "contact_outcome", "AFTC", "Attended - Failed to Comply", "attended_failed_to_comply"),
    ("probation", "contact_outcome", "AACC", "Acceptable Absence", "failed_to_attend_acceptable"),
    ("probation", "contact_outcome", "UAAB", "Unacceptable Absence", "failed_to_attend_unacceptable"),
    ("probation", "contact_outcome", "RSCH", "Rescheduled", "rescheduled"),
    ("probation", "intervention_type", "ACCPROG", "Accredited Programme", "accredited_programme"),
    ("probation", "contact_type", "OFF", "Office visit", "office_appointment"),
    ("probation", "contact_type", "HV", "Home visit", "home_visit"),
    ("probation", "contact_type", "TEL", "Telephone contact", "telephone"),
    ("probation", "contact_type", "VID", "Video contact", "video"),
    ("probation", "intervention_type", "RAR", "Rehabilitation Activity", "structured_intervention"),
    ("prison", "pathway", "P1", "Accommodation", "accommodation"),
    ("prison", "pathway", "P2", "ETE", "education_training_employment"),
    ("prison", "pathway", "P3", "Health", "health"),
    ("prison", "pathway", "P4", "Drugs and alcohol", "drugs_and_alcohol"),
    ("prison", "pathway", "P5", "Finance, benefit and debt", "finance_benefit_debt"),
    ("prison", "pathway", "P6", "Children and families", "children_and_families"),
    ("prison", "pathway", "P7", "Attitudes, thinking and behaviour", "attitudes_thinking_behaviour"),
    ("council", "warning_marker", "DA", "Domestic abuse", "domestic_abuse_victim"),
    ("council", "warning_marker", "AGG", "Aggressive", "violence"),
    ("council", "accommodation_status", "NFA", "No fixed abode", "rough_sleeping"),
    ("council", "accommodation_status", "TA", "Temporary accommodation", "temporary"),
    ("council", "accommodation_status", "SUPP", "Supported", "supported_housing"),
    ("council", "accommodation_status", "TEN", "Tenancy", "settled"),
    ("council", "accommodation_status", "SOFA", "Sofa surfing", "sofa_surfing"),
    ("health", "intervention_type", "OST", "Opioid substitution therapy", "drug_treatment"),
    ("health", "intervention_type", "ALC", "Alcohol treatment", "alcohol_treatment"),
    ("health", "intervention_type", "MHTR", "Mental health treatment requirement", "mental_health_treatment"),
    ("health", "contact_outcome", "DNA", "Did not attend", "failed_to_attend_unacceptable"),
    ("health", "contact_outcome", "ATT", "Attended", "attended_complied"),
    ("charity", "contact_outcome", "MET", "Met", "attended_complied"),
    ("charity", "contact_outcome", "DNA", "Did not attend", "failed_to_attend_acceptable"),
    ("charity", "contact_outcome", "DNA", "Did not attend", "failed_to_attend_unacceptable"),
    ("charity", "employment_status", "VOL", "Volunteering", "volunteering"),
    ("charity", "employment_status", "FT", "Full time work", "employed_full_time"),
    ("charity", "employment_status", "PT", "Part time work", "employed_part_time"),
]


def load_demo_local_terms(agencies: Iterable[Agency] | None = None) -> int:
    """Map the demo agencies' local codes (by agency code); returns how many mappings exist afterwards.

    The demo loader calls this once its agencies exist. Agencies not in the demo are left alone, and
    the two deliberate conflicts (see DEMO_LOCAL_TERMS) are stored so the conflicts page shows them.
    """
    by_code = {agency.code: agency for agency in (agencies if agencies is not None else Agency.objects.all())}
    schemes = {scheme.code: scheme for scheme in Scheme.objects.all()}
    concepts = {(c.scheme_id, c.code): c for c in Concept.objects.all()}
    created = 0
    for agency_code, scheme_code, local_code, label, concept_code in DEMO_LOCAL_TERMS:
        agency = by_code.get(agency_code)
        scheme = schemes.get(scheme_code)
        if agency is None or scheme is None:
            continue
        _, made = LocalTerm.objects.get_or_create(
            agency=agency,
            scheme=scheme,
            local_code=local_code,
            concept=concepts[(scheme.pk, concept_code)],
            defaults={"local_label": label},
        )
        created += made
    return LocalTerm.objects.filter(agency__in=by_code.values()).count()
