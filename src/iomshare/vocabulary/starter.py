"""The starter vocabulary every IOM partnership begins with, and the demo agencies' local terms.

Seeded by a data migration (schemes and concepts) and by the demo loader (local terms, which hang off
agencies). Definitions follow the terms used in England and Wales: OASys risk of serious harm levels,
the 2020 IOM strategy's Fixed, Flex and Free cohorts, and the seven resettlement pathways.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.apps import apps as django_apps


@dataclass(frozen=True)
class ConceptSpec:
    code: str
    term: str
    definition: str
    scope_note: str = ""
    examples: tuple[str, ...] = ()
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True)
class SchemeSpec:
    code: str
    name: str
    description: str
    concepts: list[ConceptSpec] = field(default_factory=list)


C = ConceptSpec

STARTER_SCHEMES: list[SchemeSpec] = [
    SchemeSpec(
        "offence_group",
        "Offence groups",
        "Groups of offences as police recorded crime reports them, with neighbourhood crimes "
        "(burglary, robbery, theft and vehicle offences) kept apart because they define the IOM Fixed cohort.",
        [
            C(
                "violence_against_the_person",
                "Violence against the person",
                "Offences causing or threatening physical harm to another person, from common assault to homicide.",
                "Includes stalking and harassment and coercive or controlling behaviour. Excludes robbery "
                "and sexual offences, which have their own groups.",
                ("Assault occasioning actual bodily harm", "Threats to kill"),
                ("VAP", "violence"),
            ),
            C(
                "sexual_offences",
                "Sexual offences",
                "Rape, sexual assault and other offences under the Sexual Offences Act 2003.",
                "Includes offences involving indecent images of children.",
                ("Sexual assault", "Possession of indecent images"),
            ),
            C(
                "robbery",
                "Robbery",
                "Theft using force, or the threat of force, at the time of the theft.",
                "A neighbourhood crime: counts towards the IOM Fixed cohort.",
                ("Street robbery of a mobile phone", "Robbery of a shop"),
            ),
            C(
                "burglary",
                "Burglary",
                "Entering a building as a trespasser to steal, or having entered, stealing or attempting to.",
                "Domestic and non-domestic burglary, and aggravated burglary. A neighbourhood crime.",
                ("Burglary of a dwelling", "Burglary of a business"),
            ),
            C(
                "theft",
                "Theft",
                "Dishonestly taking property that belongs to another, other than by burglary, robbery or "
                "from a vehicle.",
                "Includes shoplifting and theft from the person (a neighbourhood crime).",
                ("Shoplifting", "Theft from the person"),
                ("shoplifting",),
            ),
            C(
                "vehicle_offences",
                "Vehicle offences",
                "Theft of or from a vehicle, taking a vehicle without consent, and interfering with a vehicle.",
                "Not motoring offences such as speeding. A neighbourhood crime.",
                ("Theft of a motor vehicle", "Theft from a motor vehicle"),
                ("TWOC", "vehicle crime"),
            ),
            C(
                "criminal_damage_and_arson",
                "Criminal damage and arson",
                "Destroying or damaging property belonging to another, including by fire.",
                examples=("Damage to a car", "Arson endangering life"),
            ),
            C(
                "drug_offences",
                "Drug offences",
                "Possession, supply, production or importation of controlled drugs.",
                "Drug use is a need (drugs and alcohol pathway), not an offence group, unless charged.",
                ("Possession with intent to supply class A", "Production of cannabis"),
            ),
            C(
                "possession_of_weapons",
                "Possession of weapons",
                "Possessing a firearm, knife, offensive weapon or other article with a blade or point.",
                examples=("Possession of a bladed article in a public place",),
            ),
            C(
                "public_order",
                "Public order offences",
                "Offences against public order, such as affray, violent disorder and causing fear of violence.",
                examples=("Affray", "Threatening behaviour"),
            ),
            C(
                "fraud",
                "Fraud",
                "Dishonestly making a false representation, failing to disclose, or abusing a position for gain.",
                examples=("Benefit fraud", "Card fraud"),
            ),
            C(
                "other_offences",
                "Other offences",
                "Offences that fit no other group, such as breach of court orders or perverting the course of justice.",
                examples=(
                    "Breach of a restraining order",
                    "Failing to comply with notification requirements",
                ),
            ),
        ],
    ),
    SchemeSpec(
        "rosh_level",
        "Risk of serious harm levels",
        "The OASys risk of serious harm levels. Serious harm is an event which is life-threatening and/or "
        "traumatic, from which recovery, whether physical or psychological, can be expected to be "
        "difficult or impossible.",
        [
            C(
                "low",
                "Low",
                "Current evidence does not indicate likelihood of causing serious harm.",
                examples=("No history of violence and no current indicators",),
            ),
            C(
                "medium",
                "Medium",
                "There are identifiable indicators of risk of serious harm. The person has the potential to "
                "cause serious harm but is unlikely to do so unless there is a change in circumstances.",
                "Changes that could raise the risk include failure to take medication, loss of "
                "accommodation, relationship breakdown, and drug or alcohol misuse.",
            ),
            C(
                "high",
                "High",
                "There are identifiable indicators of risk of serious harm. The potential event could happen "
                "at any time and the impact would be serious.",
            ),
            C(
                "very_high",
                "Very high",
                "There is an imminent risk of serious harm. The potential event is more likely than not to "
                "happen imminently and the impact would be serious.",
                synonyms=("VHR",),
            ),
        ],
    ),
    SchemeSpec(
        "iom_tier",
        "IOM cohort tiers",
        "The three cohorts of the Integrated Offender Management strategy (2020).",
        [
            C(
                "fixed",
                "Fixed",
                "People whose offending is mainly neighbourhood crime (burglary, robbery, theft and vehicle "
                "offences) and who meet the national criteria: managed by IOM in every area.",
                "The national cohort: every partnership manages it the same way.",
                synonyms=("Fixed cohort",),
            ),
            C(
                "flex",
                "Flex",
                "People the partnership chooses to manage because of local crime priorities, such as "
                "domestic abuse or serious violence.",
                "Chosen locally: the criteria differ between partnerships.",
                synonyms=("Flex cohort",),
            ),
            C(
                "free",
                "Free",
                "People outside the Fixed and Flex cohorts whom the partnership manages because they "
                "would benefit, for example people leaving short custodial sentences.",
                synonyms=("Free cohort",),
            ),
        ],
    ),
    SchemeSpec(
        "pathway",
        "Rehabilitation pathways",
        "The seven pathways out of offending: the needs whose meeting reduces reoffending.",
        [
            C(
                "accommodation",
                "Accommodation",
                "Having a safe, settled place to live, and keeping it.",
                examples=("Homelessness on release", "Rent arrears threatening a tenancy"),
            ),
            C(
                "education_training_employment",
                "Education, training and employment",
                "Skills, qualifications and work, paid or voluntary.",
                examples=("Literacy support", "Construction skills card course"),
                synonyms=("ETE",),
            ),
            C(
                "health",
                "Health",
                "Physical and mental health, and access to health services.",
                "Drug and alcohol use has its own pathway.",
                ("Registering with a GP", "Mental health assessment"),
            ),
            C(
                "drugs_and_alcohol",
                "Drugs and alcohol",
                "Use of drugs and alcohol, and treatment and recovery from them.",
                examples=("Opioid substitution therapy", "Alcohol brief intervention"),
                synonyms=("substance misuse",),
            ),
            C(
                "finance_benefit_debt",
                "Finance, benefit and debt",
                "Income, benefits, bank accounts and debts.",
                examples=("Universal Credit claim on release", "Debt advice"),
            ),
            C(
                "children_and_families",
                "Children and families",
                "Relationships with partners, children and family, and parenting.",
                examples=("Family contact visits", "Parenting course"),
            ),
            C(
                "attitudes_thinking_behaviour",
                "Attitudes, thinking and behaviour",
                "Attitudes that support offending, impulsivity, problem-solving and managing emotions.",
                examples=("Thinking skills programme", "Anger management"),
            ),
        ],
    ),
    SchemeSpec(
        "intervention_type",
        "Intervention types",
        "Kinds of work done with a person to reduce reoffending or harm.",
        [
            C(
                "accredited_programme",
                "Accredited programme",
                "A group or one-to-one programme accredited by the Correctional Services Advice and "
                "Accreditation Panel.",
                examples=("Thinking Skills Programme", "Building Better Relationships"),
            ),
            C(
                "structured_intervention",
                "Structured intervention",
                "A shorter, non-accredited piece of offence-focused work delivered by a practitioner.",
                examples=("Emotional management sessions",),
            ),
            C(
                "drug_treatment",
                "Drug treatment",
                "Clinical or psychosocial treatment for drug use.",
                examples=("Opioid substitution therapy", "Drug rehabilitation requirement"),
            ),
            C(
                "alcohol_treatment",
                "Alcohol treatment",
                "Treatment for alcohol use, including detoxification and alcohol treatment requirements.",
            ),
            C(
                "mental_health_treatment",
                "Mental health treatment",
                "Treatment or support for mental health, including a mental health treatment requirement.",
            ),
            C(
                "accommodation_support",
                "Accommodation support",
                "Help to find, fund or keep housing.",
                examples=("Housing application", "Tenancy sustainment support"),
            ),
            C(
                "employment_support",
                "Education, training and employment support",
                "Help into learning or work.",
                examples=("CV workshop", "Work placement"),
            ),
            C(
                "finance_support",
                "Finance, benefit and debt support",
                "Help with benefits, banking and debt.",
            ),
            C(
                "mentoring",
                "Mentoring",
                "Regular one-to-one support from a trained mentor, often a volunteer with lived experience.",
            ),
            C(
                "family_support",
                "Family support",
                "Work with a person's family or on parenting.",
            ),
            C(
                "restorative_justice",
                "Restorative justice",
                "A process bringing those harmed and those responsible into communication, with consent.",
            ),
            C(
                "electronic_monitoring",
                "Electronic monitoring",
                "A tag monitoring a curfew, location (GPS) or alcohol use.",
                synonyms=("tag",),
            ),
            C(
                "drug_testing",
                "Drug testing",
                "Testing for specified class A drugs on arrest, in custody or on licence.",
            ),
        ],
    ),
    SchemeSpec(
        "contact_outcome",
        "Contact outcomes",
        "What happened at an appointment or visit. Whether an absence is acceptable is decided by the "
        "practitioner who arranged the contact.",
        [
            C(
                "attended_complied",
                "Attended – complied",
                "The person attended and did what was asked of them.",
            ),
            C(
                "attended_failed_to_comply",
                "Attended – failed to comply",
                "The person attended but did not do what was asked (for example arrived intoxicated or "
                "left early).",
            ),
            C(
                "failed_to_attend_acceptable",
                "Failed to attend – acceptable absence",
                "The person did not attend and gave a reason the practitioner accepted, with evidence "
                "where asked.",
                "Not a breach of an order or licence.",
                ("Hospital appointment with a letter",),
            ),
            C(
                "failed_to_attend_unacceptable",
                "Failed to attend – unacceptable absence",
                "The person did not attend and gave no reason, or a reason the practitioner did not accept.",
                "May count towards breach or recall.",
            ),
            C(
                "rescheduled",
                "Rescheduled",
                "The contact was moved to another time before it was due, by the practitioner or at the "
                "person's request.",
            ),
            C(
                "not_seen",
                "Visit – not seen",
                "A home visit where nobody answered or the person was not there.",
            ),
        ],
    ),
    SchemeSpec(
        "contact_type",
        "Contact types",
        "How a contact with a person took place.",
        [
            C("office_appointment", "Office appointment", "A planned meeting at an agency's premises."),
            C("home_visit", "Home visit", "A visit to the person's home address."),
            C("telephone", "Telephone", "A planned telephone call with the person."),
            C("video", "Video call", "A planned video call with the person."),
            C("joint_visit", "Joint visit", "A visit by staff of two or more agencies together."),
        ],
    ),
    SchemeSpec(
        "warning_marker",
        "Warning markers",
        "Markers that keep staff and others safe when dealing with a person. Each marks a specific "
        "risk: a marker with two possible meanings is a danger in itself.",
        [
            C(
                "violence",
                "Violent",
                "The person has used or threatened violence against others.",
                synonyms=("VIO",),
            ),
            C("weapons", "Weapons", "The person has carried or used a weapon other than a firearm."),
            C("firearms", "Firearms", "The person has had access to, carried or used a firearm."),
            C(
                "drugs",
                "Drugs",
                "The person has been found with, or is known to supply, controlled drugs.",
                "Not drug use alone: that is a need under the drugs and alcohol pathway.",
            ),
            C(
                "self_harm",
                "Self-harm or suicide",
                "The person has harmed themselves or attempted or threatened suicide.",
            ),
            C(
                "mental_health",
                "Mental health",
                "The person has a mental health condition staff should know about.",
            ),
            C("escape_risk", "Escape risk", "The person has escaped or tried to escape from custody."),
            C(
                "domestic_abuse_perpetrator",
                "Domestic abuse: perpetrator",
                "The person has been reported or convicted as the perpetrator of domestic abuse.",
                "Marks someone who causes harm. Compare 'Domestic abuse: victim', which marks someone harmed.",
                synonyms=("DA perpetrator",),
            ),
            C(
                "domestic_abuse_victim",
                "Domestic abuse: victim",
                "The person has been a victim of domestic abuse.",
                "Marks someone harmed, who may need protection. Compare 'Domestic abuse: perpetrator'.",
                synonyms=("DA victim",),
            ),
            C(
                "risk_to_children",
                "Risk to children",
                "The person poses, or may pose, a risk of harm to children.",
            ),
        ],
    ),
    SchemeSpec(
        "accommodation_status",
        "Accommodation status",
        "Where a person lives, from settled to sleeping rough.",
        [
            C("settled", "Settled", "A home the person can expect to stay in, such as their own tenancy."),
            C(
                "supported_housing",
                "Supported housing",
                "Housing with support staff, usually for a limited time.",
            ),
            C(
                "approved_premises",
                "Approved premises",
                "A probation hostel, usually a condition of licence.",
            ),
            C(
                "temporary",
                "Temporary accommodation",
                "Short-term housing arranged by the council, such as a bed and breakfast.",
            ),
            C(
                "sofa_surfing",
                "Sofa surfing",
                "Staying with friends or family without a settled right to stay.",
            ),
            C(
                "rough_sleeping",
                "Rough sleeping",
                "Sleeping outside or in places not meant for living in.",
                synonyms=("NFA",),
            ),
            C("in_custody", "In custody", "In prison or police custody."),
        ],
    ),
    SchemeSpec(
        "employment_status",
        "Employment status",
        "A person's work, learning or reason for neither.",
        [
            C("employed_full_time", "Employed full-time", "Paid work of 30 hours a week or more."),
            C("employed_part_time", "Employed part-time", "Paid work of under 30 hours a week."),
            C("self_employed", "Self-employed", "Working for themselves."),
            C("education_or_training", "In education or training", "On a course or apprenticeship."),
            C("volunteering", "Volunteering", "Unpaid work for a charity or community organisation."),
            C("unemployed_seeking", "Unemployed, looking for work", "Not in work and available for it."),
            C(
                "not_available",
                "Not available for work",
                "Not in work and unable to work, for example because of illness, disability or caring.",
            ),
        ],
    ),
    SchemeSpec(
        "yes_no",
        "Yes or no",
        "A yes or no answer, with room to say it is not known.",
        [
            C("yes", "Yes", "Yes."),
            C("no", "No", "No."),
            C("not_known", "Not known", "The person recording does not know the answer."),
        ],
    ),
]


def load_starter_vocabulary(get_model=django_apps.get_model) -> None:
    """Create or refresh the starter schemes and concepts; idempotent.

    The data migration calls it with its historical `apps.get_model`, so it never runs on newer models.
    """
    scheme_model = get_model("vocabulary", "Scheme")
    concept_model = get_model("vocabulary", "Concept")
    synonym_model = get_model("vocabulary", "Synonym")
    for spec in STARTER_SCHEMES:
        scheme, _ = scheme_model.objects.update_or_create(
            code=spec.code, defaults={"name": spec.name, "description": spec.description}
        )
        for position, concept_spec in enumerate(spec.concepts, start=1):
            concept, _ = concept_model.objects.update_or_create(
                scheme=scheme,
                code=concept_spec.code,
                defaults={
                    "preferred_term": concept_spec.term,
                    "definition": concept_spec.definition,
                    "scope_note": concept_spec.scope_note,
                    "examples": list(concept_spec.examples),
                    "position": position,
                },
            )
            for term in concept_spec.synonyms:
                synonym_model.objects.get_or_create(concept=concept, term=term)
