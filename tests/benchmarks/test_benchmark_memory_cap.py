"""The benchmark stops a baseline that outgrows its memory cap and records it, instead of letting the
machine run out of memory."""

from __future__ import annotations

import sys

from benchmarks.run import MEMORY_LIMIT_EXCEEDED, measured

MIB = 1 << 20
# touches 400 MiB one page at a time, then waits far longer than the test
GROWING = (
    "import time; b = bytearray(400 << 20); "
    "[b.__setitem__(i, 1) for i in range(0, len(b), 4096)]; time.sleep(60)"
)


def test_a_process_past_its_cap_is_stopped_and_reported_with_its_peak():
    wall, peak, code = measured([sys.executable, "-c", GROWING], {}, memory_limit=150 * MIB)
    assert code == MEMORY_LIMIT_EXCEEDED
    assert 150 * MIB < peak < 500 * MIB
    assert wall < 30


def test_a_process_under_its_cap_finishes_with_its_own_exit_code():
    _, peak, code = measured([sys.executable, "-c", "raise SystemExit(3)"], {}, 150 * MIB)
    assert code == 3 and 0 < peak < 150 * MIB
