"""The marts' path's wall-clock span: from the first model starting (its compile included) to the
last finishing, so two models run side by side count once (their summed times count the shared
cores twice)."""

from __future__ import annotations

from benchmarks.run import elapsed_seconds

DAY = "2026-11-20T10:00:"


def result(compiled: str, started: str, completed: str, seconds: float) -> dict:
    return {
        "execution_time": seconds,
        "timing": [
            {"name": "compile", "started_at": DAY + compiled, "completed_at": DAY + started},
            {"name": "execute", "started_at": DAY + started, "completed_at": DAY + completed},
        ],
    }


def test_models_run_side_by_side_count_once_and_compile_and_gaps_count():
    side_by_side = [
        result("00.500000Z", "01.000000Z", "21.000000Z", 20.5),
        result("01.000000Z", "01.500000Z", "11.000000Z", 10.0),
    ]
    assert sum(r["execution_time"] for r in side_by_side) == 30.5
    assert elapsed_seconds(side_by_side) == 20.5
    # a model that starts after both: its wait and its own time count
    later = [*side_by_side, result("23.000000Z", "23.500000Z", "25.000000Z", 2.0)]
    assert elapsed_seconds(later) == 24.5


def test_no_timed_model_is_zero():
    assert elapsed_seconds([]) == 0.0
    assert elapsed_seconds([{"execution_time": 0.0, "timing": []}]) == 0.0
