"""Findings as tickets, and tickets back into the remediation register.

    python -m orchestration.cli.findings export --format jira-csv|json [--output PATH]
    python -m orchestration.cli.findings import FILE [--by EMAIL]

`export` writes the findings still open or acknowledged in the published release (rpt_remediation)
as importable tickets, overdue first (to PATH, written whole then renamed into place; to standard
output without it). `import` reads a ticket export (.csv or .json) through remediation.yml's
`ticket_import` mapping, records the tickets whose status or ticket changed in the imported tickets
file beside remediation.yml (remediation_tickets.csv by default), and checks the governance set still
validates; the next transform run lands it, rebuilds rpt_remediation and enters the changes in the
evidence ledger. A ticket without a date is dated when imported, one without an assignee's address
is recorded as set by --by.

Exit 0 when done, 2 on a problem (named with its file, line and fix); nothing is written then.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from connectors.errors import ConfigError
from governance.load import governance_dir, load_governance
from governance.tickets import merge, read_imported, read_ticket_export, write_imported
from reports.tickets import FORMATS, current_statuses, findings_to_remediate, render, ticket_of
from warehouse.paths import Paths
from warehouse.publish import current_dir


def _database(args: argparse.Namespace) -> Path:
    return args.database or current_dir(Paths.from_env().published) / "warehouse.duckdb"


def export(args: argparse.Namespace) -> int:
    mapping = load_governance().remediation.ticket_import
    findings = findings_to_remediate(_database(args))
    text = render([ticket_of(f, mapping) for f in findings], args.format)
    overdue = sum(1 for f in findings if f["is_overdue"])
    summary = f"{len(findings)} findings to remediate ({overdue} overdue) as {args.format}"
    if args.output is None:
        sys.stdout.write(text)
        print(summary, file=sys.stderr)
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    temp = args.output.with_name(f".{args.output.name}.{uuid.uuid4().hex}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, args.output)
    print(f"{summary}: {args.output}")
    return 0


def import_tickets(args: argparse.Namespace) -> int:
    directory = governance_dir()
    governance = load_governance(directory)
    mapping = governance.remediation.ticket_import
    exported = read_ticket_export(args.file, mapping)
    target = directory / mapping.file
    before = target.read_bytes() if target.exists() else None
    current = read_imported(target) if target.exists() else []
    rows, changed = merge(
        current,
        exported,
        datetime.now(UTC).replace(tzinfo=None, microsecond=0),
        args.by,
        current_statuses(_database(args)),
    )
    if not changed:
        print(f"{args.file}: {len(exported)} tickets, no status or ticket changed; {target} kept")
        return 0
    write_imported(target, rows)
    try:
        load_governance(directory)
    except ConfigError:
        if before is None:
            target.unlink()
        else:
            target.write_bytes(before)
        raise
    counts = ", ".join(f"{n} {s}" for s, n in sorted(Counter(r.status for r in changed).items()))
    print(f"{args.file}: {len(exported)} tickets, {len(changed)} changed ({counts}): {target}")
    print("The next transform run lands them, rebuilds rpt_remediation and enters the changes in")
    print("the evidence ledger.")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m orchestration.cli.findings",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = parser.add_subparsers(dest="command", required=True)
    out = commands.add_parser("export", help="the findings to remediate as importable tickets")
    out.add_argument("--format", choices=FORMATS, required=True)
    out.add_argument("--output", type=Path, help="file to write (default: standard output)")
    back = commands.add_parser("import", help="a ticket export into the remediation register")
    back.add_argument("file", type=Path, help="the ticket export, .csv or .json")
    back.add_argument("--by", help="email recorded for tickets whose export names no assignee")
    for command in (out, back):
        command.add_argument(
            "--database",
            type=Path,
            help="published DuckDB file (default: data/published/current/warehouse.duckdb)",
        )
    args = parser.parse_args(argv)
    try:
        return export(args) if args.command == "export" else import_tickets(args)
    except (ConfigError, ValueError, OSError) as error:
        print(f"findings {args.command}: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
