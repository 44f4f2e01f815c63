"""The sandbox HTTP server: provider APIs on 127.0.0.1, with fault injection and a ground-truth view.

Control endpoints live under `/_sandbox/` and are not part of any provider's API:
- `POST /_sandbox/faults` adds a fault: `{"path": "/v1/organization/costs", "status": 429, "times": 3,
  "skip": 0, "retry_after": 1}` fails `times` requests to paths starting with `path`, after the first
  `skip` of them; each fault counts every matching request.
- `DELETE /_sandbox/faults` clears faults; `POST /_sandbox/corrupt` with `{"date": "YYYY-MM-DD"}` makes
  that day's usage break its own invariants (cached above input), for testing quality gates.
- `POST /_sandbox/clock` with `{"as_of": ISO-8601}` moves the sandbox's "now"; `null` returns to real time.
- `GET /_sandbox/ground_truth?start_date=&end_date=` sums what the APIs serve for that window.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from sandbox.activity import Activity
from sandbox.enterprise import DEFAULT_SEED, Enterprise
from sandbox.ground_truth import ground_truth
from sandbox.openai_api import ApiError, OpenAIAdminApi, Query

log = logging.getLogger("sandbox")


@dataclass
class Fault:
    path: str
    status: int
    times: int = 1
    skip: int = 0
    retry_after: int | None = None
    seen: int = 0

    def fires(self, path: str) -> bool:
        if not path.startswith(self.path):
            return False
        self.seen += 1
        return self.skip < self.seen <= self.skip + self.times


@dataclass
class SandboxState:
    """Everything the sandbox serves from, shared by request threads."""

    seed: int = DEFAULT_SEED
    openai_admin_key: str = "sk-admin-sandbox"
    as_of: datetime | None = None
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.enterprise = Enterprise(self.seed)
        self.activity = Activity(self.enterprise)
        self.openai = OpenAIAdminApi(self.enterprise, self.activity, self.now)

    def now(self) -> datetime:
        return self.as_of or datetime.now(UTC)

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            # every fault counts every matching request, so skips are positions in the request stream
            fired = [fault for fault in self.faults if fault.fires(path)]
        return fired[0] if fired else None


def masked(key: str) -> str:
    return f"{key[:6]}{'*' * 8}{key[-4:]}" if len(key) > 10 else "****"


class Handler(BaseHTTPRequestHandler):
    server_version = "aiuw-sandbox/1"
    state: SandboxState  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: dict, headers: dict[str, str] | None = None) -> None:
        payload = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def _body(self) -> dict:
        length = int(self.headers.get("Content-Length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def do_GET(self) -> None:
        url = urlsplit(self.path)
        query = Query(parse_qs(url.query, keep_blank_values=True))
        if url.path.startswith("/_sandbox/"):
            self._control_get(url.path, query)
            return
        fault = self.state.take_fault(url.path)
        if fault:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            message = (
                "Rate limit reached for requests"
                if fault.status == 429
                else "The server had an error while processing your request."
            )
            self._send(fault.status, ApiError(fault.status, message).body(), headers)
            return
        if url.path.startswith("/v1/organization/"):
            auth = self.headers.get("Authorization", "")
            presented = auth.removeprefix("Bearer ").strip()
            if presented != self.state.openai_admin_key:
                message = f"Incorrect API key provided: {masked(presented)}. You can find your API key in your organization settings."
                self._send(401, ApiError(401, message).body())
                return
            try:
                self._send(200, self.state.openai.route(url.path, query))
            except ApiError as error:
                self._send(error.status, error.body())
            return
        self._send(404, ApiError(404, f"Unknown path {url.path}.").body())

    def _control_get(self, path: str, query: Query) -> None:
        if path == "/_sandbox/health":
            self._send(
                200,
                {"status": "ok", "seed": self.state.seed, "as_of": self.state.now().isoformat()},
            )
        elif path == "/_sandbox/ground_truth":
            start = date.fromisoformat(query.one("start_date"))
            end = date.fromisoformat(query.one("end_date"))
            self._send(200, ground_truth(self.state.activity, start, end, self.state.now()))
        else:
            self._send(404, {"error": {"message": f"Unknown control path {path}."}})

    def do_POST(self) -> None:
        path, body = urlsplit(self.path).path, self._body()
        with self.state.lock:
            if path == "/_sandbox/faults":
                self.state.faults.append(Fault(**body))
            elif path == "/_sandbox/corrupt":
                self.state.openai.corrupt_days.add(date.fromisoformat(body["date"]))
            elif path == "/_sandbox/clock":
                as_of = body.get("as_of")
                self.state.as_of = datetime.fromisoformat(as_of).astimezone(UTC) if as_of else None
            else:
                self._send(404, {"error": {"message": f"Unknown control path {path}."}})
                return
        self._send(200, {"status": "ok"})

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path == "/_sandbox/faults":
            with self.state.lock:
                self.state.faults.clear()
                self.state.openai.corrupt_days.clear()
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": {"message": "Unknown control path."}})


class SandboxServer:
    """A running sandbox; use as a context manager or call start() and stop()."""

    def __init__(self, state: SandboxState, host: str = "127.0.0.1", port: int = 0) -> None:
        handler = type("BoundHandler", (Handler,), {"state": state})
        self.state = state
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> SandboxServer:
        self._thread = threading.Thread(
            target=self.httpd.serve_forever, name="sandbox", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
