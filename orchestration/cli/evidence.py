"""The evidence ledger and audit packs: `python -m orchestration.cli.evidence COMMAND`.

    verify [--ledger PATH] [--anchor-dir DIR]     check the ledger's hash chain and its latest anchor
    anchor [--ledger PATH] [--anchor-dir DIR]     anchor the current head (a ledger from before anchors)
    pack --period 2026-Q3 | --start D --end D [--out DIR]   write an evidence pack for a period
    verify-pack DIR                               check a pack's file hashes, signature and ledger excerpt
    prune [--dry-run]                             delete run logs, results and packs older than
                                                  warehouse.log_retention_days (ledger kept)

Exits 0 when everything holds, 1 naming the first broken entry or mismatching file.
Anchors are read from AIUW_EVIDENCE_ANCHOR_DIR (default data/evidence_anchor); signatures are made and
checked with AIUW_EVIDENCE_SIGNING_KEY.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from evidence import pack as evidence_pack
from warehouse.paths import Paths


def _pack(args: argparse.Namespace, paths: Paths) -> int:
    try:
        if args.period and not (args.start or args.end):
            period = evidence_pack.Period.parse(args.period)
        elif args.start and args.end and not args.period:
            period = evidence_pack.Period.between(
                date.fromisoformat(args.start), date.fromisoformat(args.end)
            )
        else:
            raise ValueError("give either --period (e.g. 2026-Q3) or both --start and --end")
        out = args.out or paths.evidence / "packs" / period.name
        manifest = evidence_pack.build_pack(
            paths.published, args.ledger or paths.ledger, paths.quality, period, out
        )
    except (ValueError, OSError) as error:
        print(f"evidence pack: {error}", file=sys.stderr)
        return 2
    print(f"{out}: {len(manifest['files'])} files, release {manifest['release_id']}")
    return 0


def _prune(args: argparse.Namespace, paths: Paths) -> int:
    import dagster as dg

    from orchestration.lib.retention import prune
    from orchestration.lib.sources import sources_config

    days = sources_config().warehouse.log_retention_days
    pruned = prune(paths, days, dg.DagsterInstance.get(), dry_run=args.dry_run)
    print(("would have " if args.dry_run else "") + pruned.describe())
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.cli.evidence", description=__doc__
    )
    parser.add_argument("command", choices=["verify", "anchor", "pack", "verify-pack", "prune"])
    parser.add_argument("directory", nargs="?", type=Path, help="the pack (verify-pack)")
    parser.add_argument(
        "--ledger", type=Path, help="ledger file (default: data/evidence/ledger.jsonl)"
    )
    parser.add_argument(
        "--anchor-dir",
        type=Path,
        help="ledger anchors (default: AIUW_EVIDENCE_ANCHOR_DIR or data/evidence_anchor)",
    )
    parser.add_argument("--period", help="pack: 2026-Q3, 2026-07 or 2026")
    parser.add_argument("--start", help="pack: first day, YYYY-MM-DD")
    parser.add_argument("--end", help="pack: last day (inclusive), YYYY-MM-DD")
    parser.add_argument(
        "--out", type=Path, help="pack: folder (default data/evidence/packs/<period>)"
    )
    parser.add_argument("--dry-run", action="store_true", help="prune: list, delete nothing")
    args = parser.parse_args(argv)
    if args.command == "prune":
        return _prune(args, Paths.from_env())
    if args.command == "pack":
        return _pack(args, Paths.from_env())
    if args.command == "verify-pack":
        if args.directory is None:
            parser.error("verify-pack needs the pack directory")
        intact, message = evidence_pack.verify_pack(args.directory)
        print(f"{args.directory}: {message}", file=sys.stdout if intact else sys.stderr)
        return 0 if intact else 1
    from evidence.ledger import Ledger

    paths = Paths.from_env()
    path = args.ledger or paths.ledger
    if not path.exists():
        print(f"no ledger at {path}", file=sys.stderr)
        return 2
    ledger = Ledger(path, args.anchor_dir or paths.anchor_dir)
    if args.command == "anchor":
        try:
            anchor = ledger.anchor_head()
        except ValueError as error:
            print(error, file=sys.stderr)
            return 1
        signed = (
            "signed" if anchor["signature"] else "unsigned: AIUW_EVIDENCE_SIGNING_KEY is not set"
        )
        print(f"{path}: entry {anchor['sequence']} anchored in {ledger.anchor_dir} ({signed})")
        return 0
    intact, message = ledger.verify()
    print(f"{path}: {message}", file=sys.stdout if intact else sys.stderr)
    return 0 if intact else 1


if __name__ == "__main__":
    sys.exit(main())
