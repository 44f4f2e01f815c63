"""Alert delivery by hand: `python -m orchestration.cli.alerts pending|deliver`.

`pending` lists what the next pass would send (alert, message, channel) without sending; `deliver`
runs one pass as the `alert_delivery` sensor does, recording every attempt in the delivery log.
Exits 1 when a delivery failed (it is retried by the next pass) or when no channel is configured.
"""

from __future__ import annotations

import argparse
import sys

from alerting.delivery import DeliveryLog, current_messages, delivery_log_path, due, run_pass
from governance.load import load_governance
from warehouse.paths import Paths


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m orchestration.cli.alerts", description=__doc__)
    parser.add_argument("command", choices=["pending", "deliver"])
    args = parser.parse_args(argv)
    paths, governance = Paths.from_env(), load_governance()
    if governance.alerting is None:
        print("no governance/alerting.yml: alerts stay in fct_alerts only", file=sys.stderr)
        return 2
    if args.command == "pending":
        release, messages = current_messages(paths, governance)
        log = DeliveryLog(delivery_log_path(paths))
        print(f"release {release or '(none)'}")
        for message, channel in due(messages, governance.alerting, log):
            print(
                f"{message.alert_key}\t{message.kind}\t{channel}\t{message.severity}\t{message.summary}"
            )
        return 0
    release, report = run_pass(paths, governance)
    # with no channel configured nothing can be delivered: said on stderr, and the exit code says so
    out = sys.stderr if report.no_channel else sys.stdout
    print(f"release {release or '(none)'}: {report.describe()}", file=out)
    return 1 if report.failed or report.no_channel else 0


if __name__ == "__main__":
    sys.exit(main())
