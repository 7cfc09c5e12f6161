"""The starter set of event signals: which items count as which cohort event (partnership-editable)."""

# (category code, coded answer field, concept code, event kind, is urgent)
STARTER_SIGNALS: list[tuple[str, str, str, str, bool]] = [
    ("warning_marker", "", "", "risk_marker", True),
    ("risk", "", "", "risk_marker", False),
    ("offending", "", "", "charge", False),
    ("custody", "", "", "release", True),
    ("accommodation", "", "", "change_of_address", False),
    ("contact", "outcome", "failed_to_attend_unacceptable", "missed_appointment", False),
]


def load_starter_signals(get_model) -> None:
    EventSignal = get_model("alerts", "EventSignal")
    for category, field, concept, kind, urgent in STARTER_SIGNALS:
        EventSignal.objects.get_or_create(
            category_code=category,
            answer_field=field,
            concept_code=concept,
            defaults={"kind": kind, "is_urgent": urgent},
        )
