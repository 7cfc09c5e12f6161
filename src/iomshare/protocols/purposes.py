"""The coded purposes for which IOM partners share information.

A practitioner declares one of these before seeing another agency's information (invariant 3);
protocols name the purposes they cover. Codes are stable: the API and YAML files use them.
"""

from __future__ import annotations

# (code, name, description), seeded into protocols.Purpose by migration.
PURPOSES: list[tuple[str, str, str]] = [
    (
        "risk_management",
        "Risk management",
        "Assessing and managing the risk of serious harm and of reoffending, including MAPPA and IOM "
        "case management.",
    ),
    (
        "accommodation",
        "Accommodation pathway",
        "Finding, keeping and supporting settled accommodation, including housing applications.",
    ),
    (
        "ete",
        "Education, training and employment pathway",
        "Getting into education, training or work, and staying there.",
    ),
    (
        "health",
        "Health pathway",
        "Access to physical and mental health care, and continuity of care on release.",
    ),
    (
        "substance_misuse",
        "Drugs and alcohol pathway",
        "Treatment, testing and recovery support for drug and alcohol use.",
    ),
    (
        "finance",
        "Finance, benefit and debt pathway",
        "Income, benefit claims, debt advice and managing money.",
    ),
    (
        "children_families",
        "Children and families pathway",
        "Family relationships, parenting and contact with children.",
    ),
    (
        "attitudes",
        "Attitudes, thinking and behaviour pathway",
        "Programmes and one-to-one work on attitudes, thinking and behaviour.",
    ),
    (
        "safeguarding",
        "Safeguarding",
        "Protecting children and adults at risk from harm, including domestic abuse.",
    ),
    (
        "volunteering_placement",
        "Placement in a volunteering opportunity",
        "Matching a person to a volunteering or mentoring opportunity and supporting the placement safely.",
    ),
    (
        "resettlement",
        "Resettlement on release",
        "Planning release from custody: licence conditions, appointments and support on the first day.",
    ),
    (
        "case_conference",
        "Case conference",
        "Preparing for and holding an IOM case conference about a cohort member.",
    ),
]

PURPOSE_CODES = [code for code, _, _ in PURPOSES]
