"""Meeting minutes get their own category: recorded as "risk", every minute raised a risk-marker alert."""

from django.db import migrations

from iomshare.records.taxonomy import STARTER_CATEGORIES


def seed(apps, schema_editor):
    Category = apps.get_model("records", "Category")
    for code, name, description in STARTER_CATEGORIES:
        if code == "meeting_minutes":
            Category.objects.update_or_create(code=code, defaults={"name": name, "description": description})


class Migration(migrations.Migration):
    dependencies = [("records", "0007_sealed_content")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
