from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Fail if the models have changes that no migration records."

    def handle(self, *args, **options):
        call_command("makemigrations", "--check", "--dry-run", verbosity=1)
