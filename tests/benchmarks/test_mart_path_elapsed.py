"""The marts' path's elapsed time: from the first model starting to the last finishing, so two
models run side by side count once (their summed times count the shared cores twice)."""

from __future__ import annotations

from benchmarks.run import elapsed_seconds


def result(started: str, completed: str, seconds: float) -> dict:
    day = "2026-11-20T10:00:"
    return {
        "execution_time": seconds,
        "timing": [
            {"name": "compile", "started_at": f"{day}00.000000Z", "completed_at": f"{day}00.5Z"},
            {"name": "execute", "started_at": day + started, "completed_at": day + completed},
        ],
    }


def test_models_run_side_by_side_count_once_and_a_gap_counts():
    side_by_side = [
        result("01.000000Z", "21.000000Z", 20.0),
        result("01.000000Z", "11.000000Z", 10.0),
    ]
    assert sum(r["execution_time"] for r in side_by_side) == 30.0
    assert elapsed_seconds(side_by_side) == 20.0
    # a model that starts after both: its wait and its own time count
    later = [*side_by_side, result("23.500000Z", "25.000000Z", 1.5)]
    assert elapsed_seconds(later) == 24.0


def test_no_timed_model_is_zero():
    assert elapsed_seconds([]) == 0.0
    assert elapsed_seconds([{"execution_time": 0.0, "timing": []}]) == 0.0
