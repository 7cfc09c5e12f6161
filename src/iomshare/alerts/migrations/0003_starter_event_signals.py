from django.db import migrations


def seed(apps, schema_editor):
    from iomshare.alerts.signals_starter import load_starter_signals

    load_starter_signals(apps.get_model)


class Migration(migrations.Migration):
    dependencies = [("alerts", "0002_events_subscriptions_webhooks")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
