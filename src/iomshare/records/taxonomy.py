"""The starter taxonomy of information categories every partnership begins with."""

STARTER_CATEGORIES: list[tuple[str, str, str]] = [
    ("offending", "Offending history", "Convictions, cautions, charges and patterns of offending."),
    ("risk", "Risk assessment", "Risk of serious harm and reoffending assessments and their reasons."),
    ("intelligence", "Police intelligence", "Graded intelligence about current behaviour and associates."),
    ("custody", "Custody and release", "Sentence, release dates, licence conditions and recalls."),
    ("accommodation", "Accommodation", "Housing status, tenancies, homelessness and housing applications."),
    ("ete", "Education, training and employment", "Qualifications, courses, work and volunteering."),
    ("health", "Physical and mental health", "Health needs and engagement with health services."),
    ("substance_misuse", "Drugs and alcohol", "Substance use, treatment, testing and recovery support."),
    ("finance", "Finance, benefit and debt", "Income, benefits, debts and financial support."),
    ("children_families", "Children and families", "Family relationships, children and parenting."),
    ("attitudes", "Attitudes, thinking and behaviour", "Programmes and work on attitudes and behaviour."),
    ("safeguarding", "Safeguarding", "Risks to and from children and adults at risk."),
    ("warning_marker", "Warning markers", "Markers for staff safety (violence, weapons, and the like)."),
    ("contact", "Contacts", "Appointments, home visits and their outcomes."),
    ("intervention", "Interventions", "Programmes, referrals and services provided."),
    (
        "meeting_minutes",
        "Meeting minutes",
        "Minutes and decisions of multi-agency meetings (case conferences, tasking, panels) about a person.",
    ),
]
