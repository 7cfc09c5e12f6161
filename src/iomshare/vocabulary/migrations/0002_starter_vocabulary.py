from django.db import migrations

from iomshare.vocabulary.starter import load_starter_vocabulary


def seed(apps, schema_editor):
    load_starter_vocabulary(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("vocabulary", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
