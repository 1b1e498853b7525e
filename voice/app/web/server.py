"""The page's web server: Starlette under uvicorn, in a thread beside the kiosk.

Routes (under `/<secret>` when a shared secret is set): `/` the page, `/kiosk.css`, `/kiosk.js`,
`/texts` (the page's words), `/state` (the current state), `/events` (server-sent events: the whole
state on connecting and on every change), and `POST /tap` (an answer tapped). Every response
carries a strict Content-Security-Policy and `Cache-Control: no-store`; a request whose Host is not
this server's (DNS rebinding) or whose Origin is another site's is refused.
"""

from __future__ import annotations

import asyncio
import hmac
import html
import json
import socket
import threading
import time
from pathlib import Path

from ...errors import ConfigError
from .answers import MergedListener
from .view import PageView

STATIC = Path(__file__).resolve().parent / "static"
LOOPBACK = ("127.0.0.1", "localhost", "::1")
KEEPALIVE = 15.0
"""Seconds between comments on an idle event stream, so a dead connection is noticed."""
HEADERS = {
    "Content-Security-Policy": "default-src 'none'; script-src 'self'; style-src 'self'; "
                               "connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; "
                               "frame-ancestors 'none'",
    "Cache-Control": "no-store",
    "Pragma": "no-cache",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


class PageServer:
    """Serves the page of one kiosk; `start` binds (errors are ConfigError), `stop` ends it."""

    def __init__(self, view: PageView, listener: MergedListener, host: str, port: int,
                 secret: str | None = None):
        if host not in LOOPBACK and not secret:
            raise ConfigError(f"the kiosk page would listen on {host}, beyond this computer, without a "
                              "shared secret", fix="set web_secret in the settings file (a long random "
                              "word, e.g. from: python3 -c 'import secrets; print(secrets.token_urlsafe())')"
                              ", or leave web_address out to listen on 127.0.0.1 only")
        self.view = view
        self.listener = listener
        self.host = host
        self.port = port
        self.secret = secret
        self._sent: dict[int, int] = {}
        self._server = None
        self._thread: threading.Thread | None = None
        self._files = {name: (STATIC / name).read_bytes() for name in ("kiosk.css", "kiosk.js")}
        self._page = (STATIC / "index.html").read_text(encoding="utf-8")

    @property
    def address(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        prefix = f"/{self.secret}" if self.secret else ""
        return f"http://{host}:{self.port}{prefix}/"

    # ------------------------------------------------------------ the app

    def app(self):
        from starlette.applications import Starlette
        from starlette.responses import JSONResponse, Response, StreamingResponse
        from starlette.routing import Route

        view, texts = self.view, self.view.texts

        def page(request):
            values = {"title": texts["title"], "connecting": texts["connecting"]}
            body = self._page
            for key, value in values.items():
                body = body.replace("{" + key + "}", html.escape(value))
            return Response(body, media_type="text/html; charset=utf-8")

        def static(name: str, media: str):
            return lambda request: Response(self._files[name], media_type=media)

        def get_texts(request):
            return JSONResponse(texts)

        def state(request):
            return JSONResponse(view.snapshot())

        async def tap(request):
            if request.headers.get("content-type", "").split(";")[0].strip() != "application/json":
                return Response("a tap is JSON", status_code=415)
            try:
                data = json.loads((await request.body())[:1000] or b"null")
            except ValueError:
                return Response("a tap is JSON", status_code=400)
            words = view.words_for(data) if isinstance(data, dict) else None
            if words is None:
                return Response(status_code=409)
            if words:
                self.listener.tap(words)
            return Response(status_code=204)

        async def events(request):
            wake = view.subscribe()
            key = id(wake)

            async def stream():
                try:
                    sent = -1
                    while True:
                        snap = view.snapshot()
                        if snap["version"] != sent:
                            sent = snap["version"]
                            self._sent[key] = sent
                            yield f"data: {json.dumps(snap, ensure_ascii=False)}\n\n"
                        wake.clear()
                        if view.version != sent:
                            continue
                        try:
                            await asyncio.wait_for(wake.wait(), KEEPALIVE)
                        except TimeoutError:
                            yield ": still here\n\n"
                finally:
                    view.unsubscribe(wake)
                    self._sent.pop(key, None)

            return StreamingResponse(stream(), media_type="text/event-stream")

        base = f"/{self.secret}" if self.secret else ""
        routes = [Route(f"{base}/", page), Route(f"{base}/kiosk.css", static("kiosk.css", "text/css")),
                  Route(f"{base}/kiosk.js", static("kiosk.js", "text/javascript")),
                  Route(f"{base}/favicon.ico", lambda request: Response(status_code=204)),
                  Route(f"{base}/texts", get_texts), Route(f"{base}/state", state),
                  Route(f"{base}/events", events), Route(f"{base}/tap", tap, methods=["POST"])]
        return _Guard(Starlette(routes=routes), self)

    # ------------------------------------------------------------ running

    def start(self) -> None:
        import uvicorn

        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as err:
            sock.close()
            raise ConfigError(f"the kiosk page cannot listen on {self.host} port {self.port}: "
                              f"{err.strerror or err}", fix="choose another port with --web-port or "
                              "web_port in the settings file, or stop what uses it") from None
        self.port = sock.getsockname()[1]
        config = uvicorn.Config(self.app(), log_level="warning", lifespan="off", access_log=False,
                                timeout_graceful_shutdown=1)
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        name="kiosk-page", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started and self._thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.02)

    def stop(self, grace: float = 1.0) -> None:
        """Stop serving, after the open pages have had the last state (`stopped`) or `grace` seconds."""
        if self._server is None:
            return
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and any(v < self.view.version for v in list(self._sent.values())):
            time.sleep(0.02)
        self._server.should_exit = True
        self._server.force_exit = True
        if self._thread is not None:
            self._thread.join(timeout=3)
        self._server = None


class _Guard:
    """ASGI middleware: the security headers on every response; Host and Origin checked."""

    def __init__(self, app, server: PageServer):
        self.app = app
        self.server = server

    def _hosts(self) -> set[str]:
        port = self.server.port
        names = set(LOOPBACK) if self.server.host in LOOPBACK else {self.server.host}
        return {f"{n}:{port}" for n in names} | {f"[{n}]:{port}" for n in names if ":" in n}

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        origin = headers.get("origin")
        path = scope.get("path", "")
        secret = self.server.secret
        # Without a secret only this computer's names are answered (no DNS rebinding); with one,
        # the page may be opened by any name of the machine, and the secret is what opens it.
        refused = (not secret and host not in self._hosts()) or (origin is not None and origin != f"http://{host}")
        if secret and not refused:
            first = path.split("/")[1] if path.count("/") >= 1 else ""
            refused = not hmac.compare_digest(first.encode(), secret.encode())

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                extra = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
                message = {**message, "headers": list(message.get("headers", [])) + extra}
            await send(message)

        if refused:
            from starlette.responses import Response

            return await Response("not found", status_code=404)(scope, receive, send_with_headers)
        return await self.app(scope, receive, send_with_headers)
