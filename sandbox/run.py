"""The demo: the product's run (`orchestration.cli.run`) against the sandbox enterprise, then the
published figures checked against what the sandbox did and planted.

    python -m sandbox.run                          # `make run`: the whole history to yesterday
    python -m sandbox.run --start 2026-11-01 --end 2026-11-20

The sandbox serves its provider APIs from a child process on a free port on 127.0.0.1 and writes
its file exports; every source points at them and uses the sandbox's keys where none is set.
Exit code 1 when any published figure differs from the sandbox's ground truth.
"""

from __future__ import annotations

import os
import sys
from datetime import date, timedelta

from orchestration.cli.run import parse_args, run, say, validated_config
from orchestration.cli.summary import yesterday_utc
from orchestration.lib.dbt_parse import DbtParseError, parse_dbt_project
from orchestration.lib.heartbeat import heartbeat
from sandbox.checks import check_lines, compare_with_sandbox
from sandbox.process import SandboxProcess, SandboxStartError
from sandbox.server import export_default_secrets
from warehouse.paths import Paths


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    export_default_secrets()  # the sandbox's keys, where unset: `make run` needs none exported
    config = validated_config()
    if config is None:
        return 2
    exports = Paths.from_env().data / "sandbox_exports"
    # the exports hold the enterprise's whole history, as a real export does, whatever range this
    # run covers: a run of one day must not find a month's billing export cut at that day
    first, last = config.warehouse.history_start, yesterday_utc()
    say(f"sandbox: writing its file exports for {first} .. {last} under {exports}")
    sandbox = SandboxProcess().start(exports, first, last + timedelta(days=1))
    try:
        # dbt's manifest and the Dagster definitions are made on this core while the sandbox writes
        doing = ["parsing the dbt project"]
        try:
            with heartbeat(say, lambda seconds: f"still {doing[0]} ({seconds:.0f}s)"):
                parse_dbt_project()
                doing[0] = "loading the Dagster definitions"
                import orchestration.definitions  # noqa: F401

                doing[0] = "waiting for the sandbox's exports"
                sandbox.wait_until_serving()
        except (SandboxStartError, DbtParseError) as error:
            what = "sandbox" if isinstance(error, SandboxStartError) else "dbt parse"
            print(f"{what}: {error}", file=sys.stderr)
            return 1
        os.environ.update(sandbox.environment())
        os.environ.update(sandbox.exports)
        print(
            f"sandbox serving the synthetic enterprise at {sandbox.url} (its own process)\n"
            f"  its file exports: {exports}",
            flush=True,
        )

        def against_the_sandbox(figures: dict, end: date) -> tuple[list[str], bool]:
            comparison, totals_match = compare_with_sandbox(sandbox.url, figures)
            paths = Paths.from_env()
            lines, plants_match = check_lines(paths.published, sandbox.state, end, paths.warehouse)
            return [comparison, "", *lines], totals_match and plants_match

        return run(args, config, checks=against_the_sandbox)
    finally:
        sandbox.stop()


if __name__ == "__main__":
    sys.exit(main())
