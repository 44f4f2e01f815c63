"""Run a command against a sandbox that is already serving (`make sandbox`), with the sandbox's keys
and endpoints set wherever the environment leaves them unset:

    python -m sandbox.env --url http://127.0.0.1:8765 -- dagster dev -m orchestration.definitions

`make dev` runs the Dagster UI this way, so nothing has to be exported for it. With AIUW_SOURCES set
(a sources config of your own) the command runs with the environment unchanged: it brings its own
keys, and no endpoint is redirected to the sandbox behind its back.
"""

from __future__ import annotations

import argparse
import os
import sys

from sandbox.server import SandboxState, export_default_secrets


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox.env", description=__doc__)
    parser.add_argument("--url", default="http://127.0.0.1:8765", help="where the sandbox serves")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="the command, after --")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    if os.environ.get("AIUW_SOURCES"):
        print(f"AIUW_SOURCES is set: running without the sandbox's keys: {command[0]}", flush=True)
    else:
        keys = export_default_secrets()
        endpoints = SandboxState().environment(args.url.rstrip("/"))
        for name, value in endpoints.items():
            os.environ.setdefault(name, value)
        print(f"sandbox at {args.url}: {len(keys)} sandbox key(s) set for {command[0]}", flush=True)
    os.execvp(command[0], command)
    return 0  # pragma: no cover - execvp does not return


if __name__ == "__main__":
    sys.exit(main())
