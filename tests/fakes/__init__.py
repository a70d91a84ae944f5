"""Local fake GitHub and Slack servers, driven through the real PyGithub and slack-sdk clients.

Each fake is a small `ThreadingHTTPServer` on 127.0.0.1 with in-memory state a test sets up and inspects, a log
of every request it answered (so a test or a benchmark can say "1 request for an unchanged repository"), and a
queue of scripted failures (rate limits, 5xx) that the next matching requests answer with.
"""

import json
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]  # lower-case names
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Response:
    status: int = 200
    body: Any = None  # JSON-serialisable; None sends no body (204, 304)
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Fault:
    """A scripted answer for the next `count` requests that `matches` accepts."""

    response: Callable[[], Response]
    count: int = 1
    matches: Callable[[Request], bool] = lambda request: True


class _Handler(BaseHTTPRequestHandler):
    server: "_Server"

    def _serve(self) -> None:
        parts = urlsplit(self.path)
        length = int(self.headers.get("Content-Length") or 0)
        request = Request(
            method=self.command,
            path=parts.path,
            query=dict(parse_qsl(parts.query, keep_blank_values=True)),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=self.rfile.read(length) if length else b"",
        )
        response = self.server.fake.dispatch(request)
        payload = b"" if response.body is None else json.dumps(response.body).encode()
        self.send_response(response.status)
        if response.body is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.end_headers()
        if payload:
            self.wfile.write(payload)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def log_message(self, format: str, *args: Any) -> None:  # quiet: tests read the request log instead
        pass


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    fake: "FakeService"


class FakeService:
    """Base of the fakes: a server thread, the request log and the scripted failures."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0):
        self.lock = threading.RLock()
        self.requests: list[Request] = []
        self._faults: list[Fault] = []
        self._server = _Server((host, port), _Handler)
        self._server.fake = self
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> "FakeService":
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, name=type(self).__name__, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)
        self._thread = None

    def serve_forever(self) -> None:
        self._server.serve_forever()

    # -- what tests inspect -------------------------------------------------------------------------------------

    def request_count(self, path: str | None = None, *, method: str | None = None, prefix: str | None = None) -> int:
        """Requests answered so far, optionally only those to one path (or under a prefix) with one method."""
        with self.lock:
            return sum(
                1
                for request in self.requests
                if (path is None or request.path == path)
                and (prefix is None or request.path.startswith(prefix))
                and (method is None or request.method == method)
            )

    def requests_by_path(self) -> Counter:
        with self.lock:
            return Counter(f"{request.method} {request.path}" for request in self.requests)

    def reset_requests(self) -> None:
        with self.lock:
            self.requests.clear()

    # -- scripted failures --------------------------------------------------------------------------------------

    def fail_next(
        self, response: Callable[[], Response], *, count: int = 1, matches: Callable[[Request], bool] | None = None
    ) -> None:
        """Answer the next `count` matching requests with `response()` instead of serving them."""
        with self.lock:
            self._faults.append(Fault(response=response, count=count, matches=matches or (lambda request: True)))

    def _take_fault(self, request: Request) -> Response | None:
        with self.lock:
            for fault in self._faults:
                if fault.count > 0 and fault.matches(request):
                    fault.count -= 1
                    return fault.response()
            return None

    # -- serving ------------------------------------------------------------------------------------------------

    def dispatch(self, request: Request) -> Response:
        with self.lock:
            self.requests.append(request)
        response = self._take_fault(request)
        if response is None:
            response = self.handle(request)
        return self.finish(request, response)

    def handle(self, request: Request) -> Response:
        raise NotImplementedError

    def finish(self, request: Request, response: Response) -> Response:
        """A hook for headers every answer carries (GitHub's rate-limit headers)."""
        return response
