import os

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app and API with waitress on 127.0.0.1 (PORT or --port picks the port)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)

    def handle(self, *args, host, port, threads, **options):
        from waitress import serve

        from iomshare.wsgi import application

        self.stdout.write(f"iomshare is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        serve(application, host=host, port=port, threads=threads, ident="iomshare")
