"""Run the sandbox: `python -m sandbox --port 8765 [--exports data/sandbox_exports]`.

It accepts the secret in each source type's env var (OPENAI_ADMIN_KEY, ...), or the sandbox's own
keys (connectors/sandbox_keys.py) where unset. With --exports it also writes the file sources' exports (billing exports, log
files) for the history window and prints the env vars that point the sources at them.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from datetime import date, timedelta
from pathlib import Path

from sandbox.enterprise import DEFAULT_SEED
from sandbox.server import SandboxServer, SandboxState


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--exports", type=Path, help="write file-source exports under this directory"
    )
    parser.add_argument("--history-start", type=date.fromisoformat, default=date(2026, 8, 1))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sandbox %(message)s")
    server = SandboxServer(SandboxState(seed=args.seed), args.host, args.port)
    if args.exports:
        end = server.state.now().date()
        env = server.state.write_exports(
            args.exports.resolve(), args.history_start, end + timedelta(days=1)
        )
        for name, value in sorted(env.items()):
            print(f"export {name}={value}")
    signal.signal(signal.SIGTERM, lambda *_: server.httpd.shutdown())
    print(f"sandbox listening on {server.url} (seed {args.seed})", flush=True)
    try:
        server.httpd.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.httpd.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
