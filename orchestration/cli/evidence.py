"""Verify the evidence ledger: `python -m orchestration.cli.evidence verify [--ledger PATH]`.

Exits 0 when every entry's hash and link to the previous entry hold, 1 naming the first broken entry.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from orchestration.lib.evidence import Ledger
from orchestration.lib.settings import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.cli.evidence", description=__doc__
    )
    parser.add_argument("command", choices=["verify"])
    parser.add_argument(
        "--ledger", type=Path, help="ledger file (default: data/evidence/ledger.jsonl)"
    )
    args = parser.parse_args(argv)
    path = args.ledger or Paths.from_env().ledger
    if not path.exists():
        print(f"no ledger at {path}", file=sys.stderr)
        return 2
    intact, message = Ledger(path).verify()
    print(f"{path}: {message}", file=sys.stdout if intact else sys.stderr)
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
