"""The run summary as `make run` prints it, on the sandbox deployment: no line longer than a terminal
or a ticket takes, and a measure a provider does not report is said to be so, not shown as 0."""

from __future__ import annotations

import pytest

from orchestration.cli.summary import MAX_LINE, published_summary
from sandbox.checks import check_lines, compare_with_sandbox
from tests.e2e.deployment import LAST

pytestmark = pytest.mark.e2e


def provider_rows(text: str) -> dict[str, str]:
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if "input tokens" in line) + 1
    rows = {}
    for line in lines[start:]:
        if not line.strip():
            break
        rows[line.split()[0]] = line
    return rows


def test_the_summary_keeps_its_lines_short_and_says_what_is_not_reported(deployment):
    text, figures = published_summary(deployment.data / "published")
    comparison, matched = compare_with_sandbox(deployment.sandbox.url, figures)
    plants, _ = check_lines(
        deployment.data / "published",
        deployment.sandbox.state,
        LAST,
        deployment.data / "warehouse" / "warehouse.duckdb",
    )
    lines = [*text.splitlines(), *comparison.splitlines(), *plants]
    assert max(len(line) for line in lines) <= MAX_LINE, max(lines, key=len)
    assert matched, comparison

    rows = provider_rows(text)
    # Anthropic's usage report counts tokens, not requests; OpenAI's counts both
    assert rows["anthropic"].endswith("not reported")
    requests = int(rows["openai"].split()[-1].replace(",", ""))
    assert requests == figures["providers"]["openai"]["usage"]["request_count"] > 0
