"""The sandbox served from a child process, for `make run`.

In the run's own process the sandbox's server threads and the pipeline share one interpreter lock: every
page the sandbox generates is time the pulls wait. A child process generates pages on the other core.
It also writes the file exports while the parent loads the pipeline's definitions. Once it has loaded
them, the parent writes the exports of the providers that serve no API itself instead of waiting idle
(the child writes the others: writing them fills the caches its API then serves from). The parent
keeps its own `SandboxState`: the enterprise is generated from a fixed seed, so both hold the same
data, and both write their exports as of the same moment.
"""

from __future__ import annotations

import multiprocessing
import threading
from datetime import UTC, date, datetime
from multiprocessing.connection import Connection
from pathlib import Path

from sandbox.providers import Provider
from sandbox.server import SandboxServer, SandboxState

START_TIMEOUT_SECONDS = 600  # writing the whole history's exports takes about 40 s on two cores


def _file_only(provider: Provider) -> bool:
    """Serves no API: only its exports are read (OpenTelemetry, Vertex and Bedrock's files)."""
    return not provider.prefixes


def _served(provider: Provider) -> bool:
    return not _file_only(provider)


class SandboxStartError(RuntimeError):
    """The child process did not start serving (its traceback is on stderr)."""


class SandboxProcess:
    """Start with `start(exports, first, last)`; `url`, `environment()` and `exports` are then
    set; `stop()` ends the child."""

    def __init__(self) -> None:
        self.state: SandboxState | None = None
        self.url = ""
        self.exports: dict[str, str] = {}
        self._process: multiprocessing.process.BaseProcess | None = None
        self._reply: Connection | None = None
        self._exports_to_write: tuple[Path, date, date, datetime] | None = None

    def start(self, exports: Path, first: date, last: date) -> SandboxProcess:
        """Start the child: it writes most exports of the days [first, last) under `exports`, then
        serves. Returns at once; `wait_until_serving()` writes the rest here and blocks until the
        child is done."""
        as_of = datetime.now(UTC)
        context = multiprocessing.get_context("spawn")  # no fork of this process's threads
        self._reply, child_end = context.Pipe(duplex=False)
        self._process = context.Process(
            target=_serve,
            args=(child_end, exports, first, last, as_of),
            name="sandbox",
            daemon=True,
        )
        self._process.start()
        child_end.close()
        self.state = SandboxState()  # while the child builds its own
        self._exports_to_write = (exports, first, last, as_of)
        return self

    def wait_until_serving(self) -> SandboxProcess:
        assert self._reply is not None and self._process is not None, "start() first"
        assert self.state is not None and self._exports_to_write is not None
        root, first, last, as_of = self._exports_to_write
        written = self.state.write_exports(root, first, last, as_of=as_of, providers=_file_only)
        if not self._reply.poll(START_TIMEOUT_SECONDS):
            self.stop()
            raise SandboxStartError(f"the sandbox did not start in {START_TIMEOUT_SECONDS}s")
        try:
            self.url, child_written = self._reply.recv()
        except EOFError:
            raise SandboxStartError(
                f"the sandbox process exited with code {self._process.exitcode} before serving "
                "(its error is printed above)"
            ) from None
        self.exports = {**child_written, **written}
        return self

    def environment(self) -> dict[str, str]:
        """Env vars that point every API source at the child's server."""
        return self.state.environment(self.url)

    def stop(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.terminate()
            self._process.join(10)


def _serve(reply: Connection, exports: Path, first: date, last: date, as_of: datetime) -> None:
    server = SandboxServer()
    written = server.state.write_exports(exports, first, last, as_of=as_of, providers=_served)
    server.start()
    reply.send((server.url, written))
    reply.close()
    threading.Event().wait()  # serve until the parent terminates this process
