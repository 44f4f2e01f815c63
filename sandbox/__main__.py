"""Run the sandbox: `python -m sandbox --port 8765`."""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys

from sandbox.enterprise import DEFAULT_SEED
from sandbox.server import SandboxServer, SandboxState


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument(
        "--openai-admin-key-env",
        default="OPENAI_ADMIN_KEY",
        help="environment variable holding the admin key the sandbox accepts",
    )
    args = parser.parse_args(argv)
    key = os.environ.get(args.openai_admin_key_env)
    if not key:
        print(
            f"sandbox: set {args.openai_admin_key_env} to the admin key the sandbox should accept",
            file=sys.stderr,
        )
        return 2
    logging.basicConfig(level=logging.INFO, format="%(asctime)s sandbox %(message)s")
    server = SandboxServer(SandboxState(seed=args.seed, openai_admin_key=key), args.host, args.port)
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
