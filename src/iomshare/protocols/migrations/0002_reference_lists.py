from django.db import migrations

from iomshare.protocols.legal_gateways import LEGAL_GATEWAYS
from iomshare.protocols.purposes import PURPOSES


def seed(apps, schema_editor):
    Purpose = apps.get_model("protocols", "Purpose")
    LegalGateway = apps.get_model("protocols", "LegalGateway")
    for code, name, description in PURPOSES:
        Purpose.objects.update_or_create(code=code, defaults={"name": name, "description": description})
    for gateway in LEGAL_GATEWAYS:
        LegalGateway.objects.update_or_create(
            code=gateway.code,
            defaults={
                "title": gateway.title,
                "kind": gateway.kind,
                "summary": gateway.summary,
                "legislation_url": gateway.legislation_url,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("protocols", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
