"""`make run` compares what it published with the sandbox's ground truth, and a mismatch is not
only printed: the comparison says so, and the CLI's exit code follows it."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal

import httpx

from sandbox.checks import compare_with_sandbox

FIRST, LAST = date(2026, 9, 1), date(2026, 9, 3)


def truth(sandbox) -> dict:
    return httpx.get(
        f"{sandbox.url}/_sandbox/ground_truth",
        params={
            "start_date": FIRST.isoformat(),
            "end_date": (LAST + timedelta(days=1)).isoformat(),
        },
        timeout=120,
    ).json()["published"]


def test_a_cent_off_is_a_mismatch_and_fails_the_comparison(sandbox):
    expected = truth(sandbox)
    figures = {"first": FIRST, "last": LAST, "providers": copy.deepcopy(expected)}
    text, matched = compare_with_sandbox(sandbox.url, figures)
    assert matched and "MISMATCH" not in text and text.endswith("All providers match.")

    provider = sorted(expected)[0]
    invoiced = Decimal(expected[provider]["invoiced_cost_usd"]) + Decimal("0.01")
    figures["providers"][provider]["invoiced_cost_usd"] = str(invoiced)
    text, matched = compare_with_sandbox(sandbox.url, figures)
    assert not matched
    lines = text.splitlines()
    (at,) = [i for i, line in enumerate(lines) if "MISMATCH" in line]
    assert lines[at].split() == [provider, "MISMATCH"]
    assert lines[at + 1].strip().startswith("invoiced cost ")  # each difference on its own line
    assert text.endswith("Some providers DO NOT match.")
