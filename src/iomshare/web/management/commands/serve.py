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
        self._say_how_cookies_travel(host)
        serve(application, host=host, port=port, threads=threads, ident="iomshare")

    def _say_how_cookies_travel(self, host: str) -> None:
        from django.conf import settings

        if settings.IOMSHARE_PLAIN_HTTP_DEMO:
            self.stdout.write(
                self.style.WARNING(
                    "DEMO ON PLAIN HTTP (IOMSHARE_PLAIN_HTTP_DEMO=1): session cookies are not marked Secure and "
                    "no HSTS is sent. Only for a demo on this machine's loopback address; never in production."
                )
            )
            if host not in {"127.0.0.1", "localhost", "::1"}:
                self.stdout.write(
                    self.style.ERROR(
                        f"{host} is not a loopback address: anyone on the network can read the session."
                    )
                )
        elif settings.SESSION_COOKIE_SECURE:
            self.stdout.write(
                "Cookies are Secure and HSTS is on: serve behind an HTTPS reverse proxy "
                "(browsers also accept Secure cookies from http://127.0.0.1 and http://localhost)."
            )
