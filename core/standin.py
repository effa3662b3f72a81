"""Loopback stand-ins: local servers that play an external provider (Aliyun SMS, WeChat, Amap, OSRM, a mail
server) for the tests and a closed-network demo, over real sockets, so the code under test is the code that runs.

Every stand-in is a ``LoopbackServer``: bound to 127.0.0.1 on a port the system picks, served by a daemon thread,
stopped by ``stop()`` or by leaving a ``with`` block::

    with AliyunSmsStandIn(key_id="id", secret="s") as gateway:
        ... gateway.url ...

An HTTP stand-in (``HttpStandIn``) writes only what its provider says: ``answer(request) -> (status, body)``, the
body a dict or list sent as JSON, or bytes sent as they are. The base reads the request, keeps it in ``log``,
answers one request at a time under the stand-in's ``lock`` (a stand-in is a small state machine that tests also
poke from their own thread) and writes the answer; a client that hung up before it was answered is no error.
"""

from __future__ import annotations

import json
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self
from urllib.parse import parse_qsl, urlsplit

HOST = "127.0.0.1"


class LoopbackServer:
    """A threaded server on loopback; a subclass names its ``server_class`` and ``handler_class``, whose handlers
    reach the stand-in as ``self.server.stand_in``."""

    server_class: type[socketserver.TCPServer] = socketserver.ThreadingTCPServer
    handler_class: type[socketserver.BaseRequestHandler]

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._server: socketserver.TCPServer | None = None

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError(f"{type(self).__name__} is not started")
        return self._server.server_address[1]

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def start(self) -> Self:
        if self._server is None:
            server = self.server_class((HOST, 0), self.handler_class)
            server.daemon_threads = True  # a handler still busy (a slow answer, a stalled client) never holds a stop
            server.stand_in = self
            self._server = server
            threading.Thread(target=server.serve_forever, daemon=True, name=type(self).__name__).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


@dataclass(frozen=True)
class Request:
    """One HTTP request as a stand-in got it. ``query``: the query string's pairs (blank values kept, the last of a
    repeated name wins); ``target``: the path and query as sent, for a provider whose path carries data."""

    method: str
    target: str
    path: str
    query: dict[str, str]
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""


class _HttpHandler(BaseHTTPRequestHandler):
    server: Any  # the ThreadingHTTPServer with .stand_in

    def _serve(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        url = urlsplit(self.path)
        request = Request(method=self.command, target=self.path, path=url.path,
                          query=dict(parse_qsl(url.query, keep_blank_values=True)), headers=dict(self.headers.items()),
                          body=self.rfile.read(length) if length else b"")
        stand_in: HttpStandIn = self.server.stand_in
        status, body = stand_in.take(request)
        data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", stand_in.content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting (a timeout test)

    do_GET = do_POST = _serve  # noqa: N815 (the stdlib's names)

    def log_message(self, *args: object) -> None:
        pass  # the test's output is not the place for an access log


class HttpStandIn(LoopbackServer):
    """A provider's HTTP API on loopback: a subclass writes ``answer``; every request is kept in ``log``."""

    server_class = ThreadingHTTPServer
    handler_class = _HttpHandler
    content_type = "application/json;charset=utf-8"

    def __init__(self) -> None:
        super().__init__()
        self.log: list[Request] = []

    def take(self, request: Request) -> tuple[int, Any]:
        with self.lock:
            self.log.append(request)
            return self.answer(request)

    def answer(self, request: Request) -> tuple[int, Any]:
        raise NotImplementedError
