"""Templated wording for demo information items, by category.

Sentences are filled with Faker places and seeded dates: they read like case notes without
describing anyone real. Placeholders: {place}, {street}, {date}, {weeks}, {count}.
"""

from __future__ import annotations

SUMMARIES: dict[str, list[str]] = {
    "offending": [
        "Arrested for burglary of a dwelling in {place}",
        "Charged with theft from a shop on {street}",
        "Convicted of possession with intent to supply (class A)",
        "Caution issued for criminal damage in {place}",
        "Charged with vehicle crime in {place}",
        "Convicted of assault occasioning actual bodily harm",
        "Arrested on suspicion of robbery near {street}",
        "Released under investigation: handling stolen goods",
    ],
    "intelligence": [
        "Seen associating with known drug supplier in {place}",
        "Reported to be using an address on {street}",
        "Linked to a vehicle seen at several burglaries in {place}",
        "Possibly involved in county lines activity between {place} and the city",
        "Believed to be carrying a bladed article in {place}",
        "Reported to be selling stolen tools near {street}",
    ],
    "warning_marker": [
        "Warning marker: violence towards staff",
        "Warning marker: weapons (bladed article)",
        "Warning marker: drugs (may conceal in mouth)",
        "Warning marker: self-harm",
        "Warning marker: dog at the address on {street}",
    ],
    "contact": [
        "Home visit at {street}, {place}",
        "Office appointment attended",
        "Office appointment missed: no contact made",
        "Telephone contact: checked on welfare",
        "Joint home visit with partner agency",
        "Met at the hub in {place}",
        "Unannounced visit: not at home",
    ],
    "risk": [
        "OASys assessment completed: risk of serious harm medium",
        "Risk of serious harm reviewed: high to known adult",
        "Risk of reoffending (OGRS) updated after new conviction",
        "Risk management plan reviewed at case conference",
        "Risk escalated following concerns raised in {place}",
    ],
    "intervention": [
        "Referred to Thinking Skills Programme",
        "Started Building Better Relationships programme",
        "Completed {count} sessions of a resettlement course",
        "Referral to employment support accepted",
        "Attended a victim awareness session",
        "Completed a peer-mentoring induction",
    ],
    "accommodation": [
        "Housing application accepted: priority need",
        "Placed in temporary accommodation in {place}",
        "Tenancy started at {street}, {place}",
        "Eviction notice served: rent arrears",
        "No fixed abode: sleeping rough in {place}",
        "Moved to supported housing in {place}",
        "Approved premises bed booked on release",
    ],
    "ete": [
        "Enrolled on a construction skills course in {place}",
        "Started part-time work at a warehouse in {place}",
        "Completed CSCS card training",
        "Attended a CV and interview workshop",
        "Volunteering placement started at a food bank in {place}",
        "Lost job at a factory on {street}",
        "Mentoring session: looked at college courses",
    ],
    "substance_misuse": [
        "Started opiate substitution treatment",
        "Positive test for cocaine and opiates",
        "Negative drug test on review",
        "Missed a recovery group session",
        "Referred to alcohol detoxification",
        "Completed a harm-reduction session",
        "Dose increased after review with prescriber",
    ],
    "health": [
        "Registered with a GP surgery in {place}",
        "Mental health assessment: low mood and anxiety",
        "Attended A&E in {place} after an injury",
        "Referred to a talking therapies service",
        "Hepatitis C test offered and accepted",
        "Missed a psychiatric outpatient appointment",
    ],
    "finance": [
        "Universal Credit claim made",
        "Benefit sanction applied for a missed appointment",
        "Debt advice appointment booked",
        "Discretionary housing payment awarded",
        "Bank account opened with support",
        "Rent arrears of £{count}0 reported",
    ],
    "custody": [
        "Received into custody on remand",
        "Sentenced: {weeks} weeks' imprisonment",
        "Release date confirmed",
        "Released on licence to an address in {place}",
        "Recalled to custody for breach of licence",
        "Home detention curfew assessed: suitable",
    ],
    "safeguarding": [
        "Safeguarding referral made about a child at {street}",
        "Domestic abuse incident: adult at risk in the household",
        "Child protection conference attended",
        "Adult safeguarding concern raised in {place}",
    ],
    "children_families": [
        "Contact with children arranged through children's services",
        "Partner expecting a baby",
        "Parenting course offered",
        "Family support worker allocated",
    ],
    "attitudes": [
        "Discussed consequential thinking in supervision",
        "Shows pro-criminal attitudes towards peers",
        "Motivation to change assessed as improving",
    ],
}

DETAILS: dict[str, list[str]] = {
    "offending": [
        "The offence took place on {date} in {place}.",
        "Co-accused not known to the partnership.",
        "Pleaded guilty at the first hearing.",
        "Property recovered from an address on {street}.",
        "Next court date is to be confirmed.",
    ],
    "intelligence": [
        "Graded 1/C/P under 3x5x2 (reliable source, known indirectly, lawful sharing permitted).",
        "Reported on {date} by a neighbourhood officer.",
        "No corroboration yet: treat with caution.",
        "Shared with the IOM team for awareness only.",
    ],
    "warning_marker": [
        "Marker applied on {date} after an incident in {place}.",
        "Staff should not visit alone.",
        "Marker to be reviewed at the next case conference.",
    ],
    "contact": [
        "Seen on {date}; presented as calm and engaged.",
        "Discussed housing, work and current pressures.",
        "Reminded of the next appointment in {weeks} weeks.",
        "No concerns noted at the address on {street}.",
        "Appeared under the influence; appointment cut short.",
    ],
    "risk": [
        "Assessment completed on {date}.",
        "Main risk factors: substance misuse, accommodation and associates.",
        "Protective factors: family support and recent work.",
        "Review again in {weeks} weeks or sooner if circumstances change.",
    ],
    "intervention": [
        "Referral made on {date}.",
        "Attendance so far: {count} of 12 sessions.",
        "Facilitator reports good participation in group work.",
        "Next session booked in {place}.",
    ],
    "accommodation": [
        "Address: {street}, {place}.",
        "Housing officer contacted on {date}.",
        "Landlord aware of the licence conditions.",
        "Move-on plan to be agreed within {weeks} weeks.",
    ],
    "ete": [
        "Started on {date}.",
        "Employer in {place} is a partnership-approved placement.",
        "Needs help with travel costs.",
        "Mentor to follow up in {weeks} weeks.",
    ],
    "substance_misuse": [
        "Seen at the recovery hub in {place} on {date}.",
        "Engagement is improving after a difficult month.",
        "Prescription collected daily from a pharmacy on {street}.",
        "Harm-reduction advice and naloxone given.",
    ],
    "health": [
        "Seen on {date}.",
        "Follow-up appointment in {weeks} weeks.",
        "Consented to information being shared with the IOM team.",
        "Medication reviewed; no changes.",
    ],
    "finance": [
        "Claim made on {date}.",
        "Supported by a worker from {place} advice centre.",
        "Owes money to a relative; says this is a source of stress.",
    ],
    "custody": [
        "Event on {date}.",
        "Licence conditions include residence at an address in {place}.",
        "Offender manager informed the same day.",
    ],
    "safeguarding": [
        "Referral made on {date} to children's services.",
        "Police and probation informed.",
        "Strategy meeting to be held within {weeks} weeks.",
    ],
    "children_families": [
        "Discussed on {date}.",
        "Children live with their mother in {place}.",
        "Keen to rebuild contact with family.",
    ],
    "attitudes": [
        "Discussed in supervision on {date}.",
        "Uses minimising language about past offending.",
        "Set a goal to avoid peers from {street}.",
    ],
}
