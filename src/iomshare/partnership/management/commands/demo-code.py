from django.core.management.base import BaseCommand

from iomshare.partnership.demo_second_factor import DEMO_TOTP_SECRET, current_demo_code


class Command(BaseCommand):
    help = "DEMO ONLY: the current second-factor code of the demo accounts (from the published demo secret)."

    def handle(self, *args, **options):
        self.stdout.write(f"{current_demo_code()}  (changes every 30 seconds)")
        self.stderr.write(
            f"DEMO ONLY: every demo account shares the published TOTP secret {DEMO_TOTP_SECRET}; "
            "it protects nothing and must never be used outside the synthetic demo."
        )
