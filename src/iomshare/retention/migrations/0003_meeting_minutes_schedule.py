"""The default retention schedule for meeting minutes (their own category since records 0008)."""

from django.db import migrations

MEETING_MINUTES = (
    "meeting_minutes", 6, "years", "left_cohort", "review",
    "Minutes record decisions several agencies relied on: reviewed six years after the person leaves the "
    "cohort, as children-and-families and safeguarding records are, never disposed of unseen.",
)


def seed(apps, schema_editor):
    Category = apps.get_model("records", "Category")
    RetentionSchedule = apps.get_model("retention", "RetentionSchedule")
    code, period, unit, trigger, action, reasoning = MEETING_MINUTES
    category = Category.objects.filter(code=code).first()
    if category is not None:
        RetentionSchedule.objects.get_or_create(
            category=category,
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
    RetentionSchedule.objects.filter(
        category__code=MEETING_MINUTES[0], holding_agency=None, updated_by=None
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("retention", "0002_default_schedules"),
        ("records", "0008_meeting_minutes_category"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
