"""Seed the partnership's default retention schedules: synthetic starting points a partnership confirms.

The reasoning for each is in docs/retention.md; agencies whose duty differs set their own schedule.
"""

from django.db import migrations

# (category code, period, unit, trigger, action, reasoning)
DEFAULT_SCHEDULES = [
    ("offending", 6, "years", "recorded", "review",
     "MoPI-style: police information about offending is reviewed six years after it was recorded, "
     "then kept only if still necessary for a policing purpose."),
    ("risk", 15, "years", "sentence_end", "review",
     "Probation practice: risk assessments are kept 15 years after the sentence ends, then reviewed."),
    ("intelligence", 6, "years", "recorded", "review",
     "MoPI-style review period for police intelligence (Group 3): review after six years."),
    ("custody", 15, "years", "sentence_end", "review",
     "Sentence and release records follow probation's retention: 15 years after the sentence ends."),
    ("accommodation", 2, "years", "left_cohort", "dispose",
     "Only needed while the person is managed by IOM: two years after leaving the cohort."),
    ("ete", 2, "years", "left_cohort", "dispose",
     "Only needed while the person is managed by IOM: two years after leaving the cohort."),
    ("health", 8, "years", "last_contact", "review",
     "NHS Records Management Code: adult health records eight years after the last contact."),
    ("substance_misuse", 8, "years", "last_contact", "review",
     "Treatment records follow health retention: eight years after the last contact."),
    ("finance", 2, "years", "left_cohort", "dispose",
     "Only needed while the person is managed by IOM: two years after leaving the cohort."),
    ("children_families", 6, "years", "left_cohort", "review",
     "Often linked to safeguarding: reviewed six years after leaving the cohort, not disposed of unseen."),
    ("attitudes", 2, "years", "left_cohort", "dispose",
     "Programme work is needed while the person is managed by IOM: two years after leaving the cohort."),
    ("safeguarding", 6, "years", "last_contact", "review",
     "Safeguarding records are reviewed, never disposed of unseen: six years after the last contact."),
    ("warning_marker", 1, "years", "recorded", "review",
     "Warning markers must stay current: each is reviewed a year after it was recorded."),
    ("contact", 2, "years", "left_cohort", "dispose",
     "Contact notes are only needed while the person is managed: two years after leaving the cohort."),
    ("intervention", 2, "years", "left_cohort", "anonymise",
     "Two years after leaving the cohort the content goes; a count stays for commissioning figures."),
]


def seed(apps, schema_editor):
    Category = apps.get_model("records", "Category")
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    categories = {c.code: c for c in Category.objects.all()}
    for code, period, unit, trigger, action, reasoning in DEFAULT_SCHEDULES:
        if code in categories:
            RetentionSchedule.objects.get_or_create(
                category=categories[code],
                holding_agency=None,
                defaults={
                    "period": period,
                    "unit": unit,
                    "trigger": trigger,
                    "action": action,
                    "reasoning": "Synthetic default, for the partnership to confirm. " + reasoning,
                },
            )


def unseed(apps, schema_editor):
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    RetentionSchedule.objects.filter(holding_agency=None, updated_by=None).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0001_initial"),
        ("records", "0002_starter_categories"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
