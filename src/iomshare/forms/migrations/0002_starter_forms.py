from django.db import migrations

from iomshare.forms.definitions import load_starter_forms


def seed(apps, schema_editor):
    load_starter_forms(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [
        ("forms", "0001_initial"),
        ("records", "0002_starter_categories"),
        ("vocabulary", "0002_starter_vocabulary"),
    ]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
