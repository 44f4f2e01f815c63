"""A failed expectation's examples are dates, timestamps and decimals: the check's metadata carries
them as text (as the stored result file does), so the check reports the failure instead of failing
to build its result."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

import dagster as dg
import pytest

from orchestration.defs.quality.gx_checks import json_metadata


def test_examples_of_dates_and_decimals_become_json_metadata():
    failure = {
        "expectation": "expect_column_pair_values_a_to_be_greater_than_b",
        "examples": [[datetime(2026, 11, 19), date(2026, 11, 20)], [Decimal("0.10")]],
    }
    with pytest.raises(Exception, match="not JSON serializable"):
        dg.MetadataValue.json([failure])  # what the check did before
    value = json_metadata([failure])
    assert value.data == [
        {
            "expectation": "expect_column_pair_values_a_to_be_greater_than_b",
            "examples": [["2026-11-19 00:00:00", "2026-11-20"], ["0.10"]],
        }
    ]
