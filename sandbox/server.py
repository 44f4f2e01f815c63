"""The sandbox HTTP server: provider APIs on 127.0.0.1, with fault injection and a ground-truth view.

Providers live in `sandbox/providers/` and are discovered at start. Control endpoints live under
`/_sandbox/` and are not part of any provider's API:
- `POST /_sandbox/faults` adds a fault: `{"path": "/v1/organization/costs", "status": 429, "times": 3,
  "skip": 0, "retry_after": 1}` fails `times` requests to paths starting with `path`, after the first
  `skip` of them; each fault counts every matching request. `"kind"` may be `"status"` (default),
  `"disconnect"` (the connection closes without a reply), or a 200 whose body is not JSON:
  `"malformed_json"` (a fixed broken body), `"truncate"` (the real reply cut to its first half, as a
  proxy that drops the end of a page), `"html"` (an HTML error page) or `"empty"` (no body at all).
- `DELETE /_sandbox/faults` clears faults and corruption; `POST /_sandbox/corrupt` with
  `{"date": "YYYY-MM-DD"}` makes that day's payloads break their own invariants; with
  `"faults": [...]` it plants exactly those in the providers that offer them (OpenAI:
  `cached_above_input`, `negative_cost`, `duplicate_page`; see sandbox/openai_api.py CORRUPTIONS).
- `POST /_sandbox/restate` with `{"provider": "openai" | "anthropic", "date": "YYYY-MM-DD",
  "amount_usd": "-372.93"}` changes that day's bill for good, however long ago it settled (a late
  restatement); the ground truth follows.
- `POST /_sandbox/clock` with `{"as_of": ISO-8601}` moves the sandbox's "now"; `null` returns to real time.
- `GET /_sandbox/ground_truth?start_date=&end_date=` sums what every provider serves for that window.

A POST outside `/_sandbox/` goes to the provider's optional `handle_post(path, query, headers, body)`
(token endpoints, APIs that take a JSON body); faults apply to it as to a GET.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from connectors.sandbox_keys import SANDBOX_KEYS
from sandbox import self_hosted
from sandbox.activity import Activity
from sandbox.enterprise import DEFAULT_SEED, Enterprise
from sandbox.ground_truth import MEASURES, SensitiveCounts, empty_totals
from sandbox.openai_api import ApiError, Query
from sandbox.providers import Provider, Response, discover

log = logging.getLogger("sandbox")

# The secrets the sandbox accepts, by env var name; the environment wins over these local defaults.
DEFAULT_SECRETS = SANDBOX_KEYS


def secrets_from_env() -> dict[str, str]:
    return {name: os.environ.get(name) or default for name, default in DEFAULT_SECRETS.items()}


def export_default_secrets() -> list[str]:
    """Set, in this process's environment, each sandbox key that is unset; return their names.

    Only what starts the sandbox on purpose calls this (`python -m sandbox.run`, `python -m sandbox.env`):
    nothing else sets a sandbox key, and no client sends one past loopback."""
    unset = [name for name in DEFAULT_SECRETS if not os.environ.get(name)]
    os.environ.update({name: DEFAULT_SECRETS[name] for name in unset})
    return unset


# 200 replies whose body is not JSON, by fault kind ("truncate" cuts the real reply instead)
BROKEN_BODIES = {
    "malformed_json": '{"object": "page", "data": [',
    "html": "<html><head><title>502 Bad Gateway</title></head><body>upstream timed out</body></html>",
    "empty": "",
}


FAULT_MESSAGES = {
    403: "This key is not allowed to use this endpoint.",
    404: "Not found.",
    429: "Rate limit reached for requests",
}


@dataclass
class Fault:
    path: str
    status: int = 500
    times: int = 1
    skip: int = 0
    retry_after: int | None = None
    kind: str = "status"
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
    secrets: dict[str, str] = field(default_factory=secrets_from_env)
    as_of: datetime | None = None
    faults: list[Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.enterprise = Enterprise(self.seed)
        self.activity = Activity(self.enterprise)
        self.providers: list[Provider] = [
            build(self.enterprise, self.activity, self.now, self.secrets) for build in discover()
        ]

    def now(self) -> datetime:
        return self.as_of or datetime.now(UTC)

    def provider(self, name: str) -> Provider:
        return next(p for p in self.providers if p.name == name)

    def provider_for(self, path: str) -> Provider | None:
        """The provider with the longest prefix of the path (a more specific prefix wins)."""
        matches = [(len(x), p) for p in self.providers for x in p.prefixes if path.startswith(x)]
        return max(matches, key=lambda match: match[0])[1] if matches else None

    def take_fault(self, path: str) -> Fault | None:
        with self.lock:
            # every fault counts every matching request, so skips are positions in the request stream
            fired = [fault for fault in self.faults if fault.fires(path)]
        return fired[0] if fired else None

    def ground_truth(self, start: date, end: date) -> dict:
        as_of = self.now()
        return {
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
            "as_of": as_of.isoformat(),
            "providers": {p.name: p.ground_truth(start, end, as_of) for p in self.providers},
            "published": self.expected_published(start, end),
        }

    def expected_published(self, start: date, end: date) -> dict:
        """Per warehouse provider, what the published marts must show for [start, end).

        Gateways (providers with `gateway_usage_by_provider`) report under the upstream provider:
        their measured cost always adds to it, their usage only where no direct source reports it
        (a request seen by both is usage once). The self-hosted vLLM deployment's GPU rows in the
        CUR are invoiced cost of its provider (sandbox/self_hosted.py).
        """
        as_of = self.now()
        gateways = [p for p in self.providers if hasattr(p, "gateway_usage_by_provider")]
        expected = {
            p.name: p.ground_truth(start, end, as_of) for p in self.providers if p not in gateways
        }
        direct = set(expected)
        for gateway in gateways:
            for upstream, figures in gateway.gateway_usage_by_provider(start, end, as_of).items():
                entry = expected.setdefault(upstream, empty_totals())
                if upstream not in direct:
                    for measure in MEASURES:
                        entry["usage"][measure] += figures["usage"][measure]
                entry["measured_cost_usd"] = str(
                    Decimal(entry["measured_cost_usd"]) + Decimal(figures["measured_cost_usd"])
                )
        # the self-hosted deployment's compute, from the CUR, is invoiced cost of its provider
        compute = self_hosted.invoiced(start, end, as_of)
        if compute:
            entry = expected.setdefault(self_hosted.PROVIDER, empty_totals())
            entry["invoiced_cost_usd"] = str(Decimal(entry["invoiced_cost_usd"]) + compute)
        # sources with no usage or cost (identity, seats) publish nothing to these marts
        return {name: totals for name, totals in expected.items() if totals != empty_totals()}

    def observed_sensitive_data(self, start: date, end: date) -> SensitiveCounts:
        """Requests whose kept prompt or completion text holds each entity type, by (application
        id, provider, day, entity type), over every source that keeps text, for [start, end)."""
        counts = SensitiveCounts()
        for provider in self.providers:
            if hasattr(provider, "sensitive_data"):
                counts.update(provider.sensitive_data(start, end, self.now()))
        return counts

    def write_exports(
        self,
        root: Path,
        start: date,
        end: date,
        *,
        as_of: datetime | None = None,
        providers: Callable[[Provider], bool] = lambda provider: True,
    ) -> dict[str, str]:
        """Write the file exports of every provider (or of those `providers` accepts) under root,
        as of `as_of` (default now); return the env vars that point at them."""
        env: dict[str, str] = {}
        for provider in self.providers:
            if providers(provider):
                env.update(provider.write_exports(root, start, end, as_of or self.now()))
        return env

    def environment(self, base_url: str) -> dict[str, str]:
        env: dict[str, str] = {}
        for provider in self.providers:
            env.update(provider.environment(base_url))
        return env


class Handler(BaseHTTPRequestHandler):
    server_version = "aiuw-sandbox/1"
    state: SandboxState  # set on the subclass made per server

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        log.debug("%s %s", self.address_string(), format % args)

    def _send(self, status: int, body: object, headers: dict[str, str] | None = None) -> None:
        if isinstance(body, bytes):
            payload, content_type = body, "application/octet-stream"
        elif isinstance(body, str):
            payload, content_type = body.encode(), "application/json"
        else:
            payload, content_type = json.dumps(body).encode(), "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type)
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
        provider = self.state.provider_for(url.path)
        if fault and fault.kind != "truncate":
            self._fail(fault)
            return
        if provider is None:
            self._send(404, ApiError(404, f"Unknown path {url.path}.").body())
            return
        response = provider.handle(url.path, query, self.headers)
        self._reply(response, truncated=fault is not None)

    def _reply(self, response: Response, truncated: bool) -> None:
        """Send a provider's reply; `truncated` sends a 200 with only the first half of its body."""
        if not truncated:
            self._send(response.status, response.body, response.headers)
            return
        body = response.body
        payload = body if isinstance(body, bytes | str) else json.dumps(body)
        self._send(200, payload[: len(payload) // 2])

    def _fail(self, fault: Fault) -> None:
        if fault.kind == "disconnect":
            self.close_connection = True
            self.connection.close()
            return
        if fault.kind in BROKEN_BODIES:
            self._send(200, BROKEN_BODIES[fault.kind])
            return
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        message = FAULT_MESSAGES.get(
            fault.status, "The server had an error while processing your request."
        )
        self._send(fault.status, ApiError(fault.status, message).body(), headers)

    def _control_get(self, path: str, query: Query) -> None:
        if path == "/_sandbox/health":
            self._send(
                200,
                {"status": "ok", "seed": self.state.seed, "as_of": self.state.now().isoformat()},
            )
        elif path == "/_sandbox/ground_truth":
            start = date.fromisoformat(query.one("start_date"))
            end = date.fromisoformat(query.one("end_date"))
            self._send(200, self.state.ground_truth(start, end))
        else:
            self._send(404, {"error": {"message": f"Unknown control path {path}."}})

    def do_POST(self) -> None:
        url = urlsplit(self.path)
        if not url.path.startswith("/_sandbox/"):
            self._provider_post(url.path, Query(parse_qs(url.query, keep_blank_values=True)))
            return
        path, body = url.path, self._body()
        with self.state.lock:
            if path == "/_sandbox/faults":
                self.state.faults.append(Fault(**body))
            elif path == "/_sandbox/corrupt":
                day, faults = date.fromisoformat(body["date"]), set(body.get("faults") or [])
                offering = [
                    p for p in self.state.providers if faults <= getattr(p, "corruptions", set())
                ]
                if faults and not offering:
                    self._send(400, {"error": {"message": f"no provider plants {sorted(faults)}"}})
                    return
                for provider in offering if faults else self.state.providers:
                    provider.corrupt(day, faults) if faults else provider.corrupt(day)
            elif path == "/_sandbox/restate":
                restating = [
                    p
                    for p in self.state.providers
                    if p.name == body.get("provider") and hasattr(p, "restate")
                ]
                if not restating:
                    self._send(400, {"error": {"message": "no provider restates that"}})
                    return
                restating[0].restate(
                    date.fromisoformat(body["date"]), Decimal(str(body["amount_usd"]))
                )
            elif path == "/_sandbox/clock":
                as_of = body.get("as_of")
                self.state.as_of = datetime.fromisoformat(as_of).astimezone(UTC) if as_of else None
            else:
                self._send(404, {"error": {"message": f"Unknown control path {path}."}})
                return
        self._send(200, {"status": "ok"})

    def _provider_post(self, path: str, query: Query) -> None:
        """A POST to a provider API (token endpoints, Cursor's reports): raw body, faults apply."""
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length)
        fault = self.state.take_fault(path)
        if fault and fault.kind != "truncate":
            self._fail(fault)
            return
        provider = self.state.provider_for(path)
        if provider is None or not hasattr(provider, "handle_post"):
            self._send(404, ApiError(404, f"Unknown path {path}.").body())
            return
        response = provider.handle_post(path, query, self.headers, raw)
        self._reply(response, truncated=fault is not None)

    def do_DELETE(self) -> None:
        if urlsplit(self.path).path == "/_sandbox/faults":
            with self.state.lock:
                self.state.faults.clear()
                for provider in self.state.providers:
                    provider.reset()
            self._send(200, {"status": "ok"})
        else:
            self._send(404, {"error": {"message": "Unknown control path."}})


class SandboxServer:
    """A running sandbox; use as a context manager or call start() and stop()."""

    def __init__(
        self, state: SandboxState | None = None, host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.state = state or SandboxState()
        handler = type("BoundHandler", (Handler,), {"state": self.state})
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def environment(self) -> dict[str, str]:
        """Env vars that point every API source at this server."""
        return self.state.environment(self.url)

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
