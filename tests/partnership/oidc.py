"""A real OpenID Connect provider on loopback for the single sign-on tests, and a proxy in front of it.

The provider is panva/oidc-provider run by node (tools/oidc-provider, installed by `make install`).
The proxy is a real HTTP hop that can rewrite what passes through, standing for a tampered channel.
"""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import requests

PROVIDER_DIR = Path(__file__).resolve().parents[2] / "tools" / "oidc-provider"
DJANGO_TEST_HOST = "http://testserver"


@dataclass
class Provider:
    issuer: str

    def next_sign_in(self, sub: str, *, amr=("pwd",), acr: str | None = None, **claims) -> None:
        """Who signs in at the provider next, with the claims their directory holds."""
        body = {"sub": sub, "amr": list(amr), "claims": claims}
        if acr:
            body["acr"] = acr
        requests.post(f"{self.issuer}/test/next-sign-in", json=body, timeout=10).raise_for_status()


def client(client_id: str, provider_id: str, *, host: str = DJANGO_TEST_HOST) -> dict:
    return {
        "client_id": client_id,
        "client_secret": f"{client_id}-secret-for-tests-only-0123456789",
        "redirect_uris": [f"{host}/accounts/oidc/{provider_id}/login/callback/"],
    }


@contextmanager
def running_provider(clients: list[dict], **env: str) -> Iterator[Provider]:
    """Start the provider process on 127.0.0.1 and stop it afterwards."""
    node = shutil.which("node")
    assert node, "node is needed for the single sign-on tests (Debian package nodejs)"
    assert (PROVIDER_DIR / "node_modules" / "oidc-provider").is_dir(), (
        f"the test provider is not installed: run `make install` (npm ci --prefix {PROVIDER_DIR})"
    )
    process = subprocess.Popen(
        [node, "--no-warnings", str(PROVIDER_DIR / "provider.mjs")],
        env={**os.environ, "CLIENTS": json.dumps(clients), **env},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        line = process.stdout.readline()
        assert line, process.stderr.read()
        yield Provider(issuer=json.loads(line)["issuer"])
    finally:
        process.terminate()
        process.wait(timeout=10)


class Proxy:
    """Forwards every request to `upstream`, letting a test rewrite the request or the response."""

    def __init__(
        self,
        upstream: str,
        *,
        rewrite_request: Callable[[str, bytes], tuple[str, bytes]] = lambda path, body: (path, body),
        rewrite_response: Callable[[str, bytes], bytes] = lambda path, body: body,
    ) -> None:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:
                pass

            def _forward(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                path, body = rewrite_request(self.path, body)
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() not in {"host", "content-length"}
                }
                answer = requests.request(
                    self.command,
                    upstream + path,
                    data=body or None,
                    headers=headers,
                    allow_redirects=False,
                    timeout=10,
                )
                content = rewrite_response(path, answer.content)
                self.send_response(answer.status_code)
                for key, value in answer.raw.headers.items():  # each Set-Cookie on its own
                    if key.lower() not in {
                        "content-length",
                        "transfer-encoding",
                        "connection",
                        "content-encoding",
                    }:
                        self.send_header(key, value)
                self.send_header("Content-Length", str(len(content)))
                self.send_header("Connection", "close")  # one request per connection (HTTP/1.0 handler)
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = _forward

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=proxy.server.serve_forever, daemon=True)

    def __enter__(self) -> Proxy:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def rewrite_id_token_claims(body: bytes, **changes) -> bytes:
    """The token response with the ID token's claims changed and its signature left as it was."""
    answer = json.loads(body)
    header, payload, signature = answer["id_token"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims.update(changes)
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    answer["id_token"] = f"{header}.{payload}.{signature}"
    return json.dumps(answer).encode()


def sign_in_through(django_client, provider_id: str, browser: requests.Session | None = None):
    """Press 'Sign in with ...', follow the provider's redirects as a browser would, return iomshare's answer."""
    browser = browser or requests.Session()
    # A fresh connection per request: node closes an idle keep-alive socket after 5 s, and a request
    # sent on it at that moment fails with "closed without response" (seen under load on PostgreSQL).
    browser.headers["Connection"] = "close"
    response = django_client.post(f"/accounts/oidc/{provider_id}/login/")
    assert response.status_code == 302, (response.status_code, response.content.decode()[-500:])
    location = response["Location"]
    for _ in range(10):
        if location.startswith(DJANGO_TEST_HOST):
            parts = urlsplit(location)
            return django_client.get(f"{parts.path}?{parts.query}")
        answer = browser.get(location, allow_redirects=False, timeout=10)
        assert answer.status_code in (302, 303), (answer.status_code, answer.text[:500])
        location = urljoin(location, answer.headers["Location"])
    raise AssertionError("the provider never sent the browser back to iomshare")
