import os
import signal
import subprocess
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Serve the web app and API with waitress on 127.0.0.1 (PORT or --port picks the port)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--threads", type=int, default=8)
        parser.add_argument(
            "--with-worker",
            action="store_true",
            help="Also run `iomshare worker` as a child process (the demo); it stops with the server.",
        )

    def handle(self, *args, host, port, threads, with_worker, **options):
        from waitress import serve

        from iomshare.wsgi import application

        worker = None
        # A service manager stops the server with SIGTERM: end as Ctrl+C does, so the worker stops too.
        signal.signal(signal.SIGTERM, signal.default_int_handler)
        if with_worker:
            worker = subprocess.Popen([sys.executable, "-m", "iomshare", "worker", "--no-startup-delay"])
            self.stdout.write(
                f"A worker (process {worker.pid}) carries out imports, linkage runs and alerts."
            )
        self.stdout.write(f"iomshare is serving on http://{host}:{port}/  (Ctrl+C stops it)")
        self._say_how_cookies_travel(host)
        try:
            serve(application, host=host, port=port, threads=threads, ident="iomshare")
        except KeyboardInterrupt:
            self.stdout.write("Stopping.")
        finally:
            if worker is not None:
                _stop(worker)

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


def _stop(worker: subprocess.Popen) -> None:
    """Stop the worker: Ctrl+C reached it too, so give it a moment; else SIGTERM, which lets it finish
    the job in hand (a job cut short is picked up again by the next worker)."""
    for stop in (None, worker.terminate, worker.kill):
        if stop is not None:
            stop()
        try:
            worker.wait(timeout=2 if stop is None else 30)
            return
        except subprocess.TimeoutExpired:
            continue
