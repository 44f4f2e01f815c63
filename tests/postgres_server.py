"""A throwaway PostgreSQL server for a test: the system's own binaries, a data directory in a temp
directory, listening on 127.0.0.1 (a free port) and on a unix socket in that directory, trust
authentication, torn down with `pg_ctl stop -m fast`.

PostgreSQL refuses to run as root: under root (CI containers, this repository's build machines) the
server runs as the unprivileged user `nobody`, which owns the temp directory, through `runuser` (or
`setpriv` where `runuser` is missing).
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

# Debian and Ubuntu install the server binaries here, off the PATH (`apt-get install postgresql`).
DEBIAN_BIN_GLOB = "/usr/lib/postgresql/*/bin"
SERVER_USER = "nobody"
SUPERUSER = "postgres"


def postgres_bin() -> Path | None:
    """The directory holding `initdb` and `pg_ctl`: the PATH's, else the newest Debian install."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl"):
        return Path(found).resolve().parent
    versions = sorted(
        (Path(p) for p in glob.glob(DEBIAN_BIN_GLOB) if (Path(p) / "pg_ctl").exists()),
        key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0,
    )
    return versions[-1] if versions else None


def as_server_user() -> list[str] | None:
    """The command prefix that runs a PostgreSQL binary as an unprivileged user, [] when this
    process is not root, None when it is root and no way to drop privileges exists."""
    if os.geteuid() != 0:
        return []
    if shutil.which("runuser"):
        return ["runuser", "-u", SERVER_USER, "--"]
    if shutil.which("setpriv"):
        user = pwd.getpwnam(SERVER_USER)  # its group is `nogroup` on Debian: by number
        return ["setpriv", f"--reuid={user.pw_uid}", f"--regid={user.pw_gid}", "--clear-groups"]
    return None


def unavailable_reason() -> str | None:
    """Why no server can be started here, or None when one can."""
    if postgres_bin() is None:
        return "no PostgreSQL server binaries (initdb, pg_ctl): apt-get install postgresql"
    if as_server_user() is None:
        return (
            "running as root with neither runuser nor setpriv to start PostgreSQL as another user"
        )
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    socket_dir: Path
    log: Path

    def environment(self, db_name: str) -> dict[str, str]:
        """The variables the repository's PostgreSQL instance profile reads (no password: trust)."""
        return {
            "DAGSTER_PG_HOST": self.host,
            "DAGSTER_PG_PORT": str(self.port),
            "DAGSTER_PG_USERNAME": self.user,
            "DAGSTER_PG_PASSWORD": "",
            "DAGSTER_PG_DB": db_name,
        }

    def create_database(self, name: str) -> None:
        import psycopg2

        con = psycopg2.connect(host=self.host, port=self.port, user=self.user, dbname="postgres")
        try:
            con.autocommit = True
            with con.cursor() as cur:
                cur.execute(f'create database "{name}"')
        finally:
            con.close()


@contextmanager
def postgres_server() -> Iterator[PostgresServer]:
    """A running server for the duration of the block; stopped and deleted afterwards."""
    reason = unavailable_reason()
    if reason:
        raise RuntimeError(reason)
    bindir, prefix = postgres_bin(), as_server_user()
    assert bindir is not None and prefix is not None
    # not under pytest's temp directory: that is private to root, and the server user must own this
    base = Path(tempfile.mkdtemp(prefix="aiuw-pg-"))
    if prefix:
        shutil.chown(base, user=SERVER_USER)
    data, log = base / "data", base / "server.log"
    port = free_port()

    def run(*args: str) -> None:
        subprocess.run([*prefix, *args], check=True, capture_output=True, text=True, cwd=base)

    started = False
    try:
        run(
            str(bindir / "initdb"),
            "-D",
            str(data),
            "-A",
            "trust",
            "-U",
            SUPERUSER,
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        # durability is not under test: no fsync keeps the server cheap on a shared machine
        options = (
            f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off"
        )
        run(str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(log), "-w", "start")
        started = True
        yield PostgresServer("127.0.0.1", port, SUPERUSER, base, log)
    finally:
        # a server whose start timed out may still be coming up: stop whatever wrote its pid file
        if started or (data / "postmaster.pid").exists():
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop")
        shutil.rmtree(base, ignore_errors=True)
