"""dbt's output summarised for a person: progress counts, a line per layer, failures in full."""

import threading

from orchestration.lib.dbt_progress import DbtOutput, problem_lines, summary_lines
from orchestration.lib.heartbeat import heartbeat

# as dagster-dbt re-emits them (colour codes included when dbt colours its output)
DBT_LINES = """Running with dbt=1.11.16
Found 3 models, 2 data tests

1 of 5 START sql view model staging.stg_openai__costs ..................... [RUN]
1 of 5 OK created sql view model staging.stg_openai__costs ................ [\x1b[32mOK\x1b[0m in 0.31s]
2 of 5 START sql table model intermediate.int_cost ........................ [RUN]
2 of 5 ERROR creating sql table model intermediate.int_cost ............... [\x1b[31mERROR\x1b[0m in 0.12s]
3 of 5 SKIP relation marts.fct_ai_cost_daily .............................. [\x1b[33mSKIP\x1b[0m]
4 of 5 START test unique_stg_openai__costs_cost_key ....................... [RUN]
4 of 5 FAIL 3 unique_stg_openai__costs_cost_key ........................... [\x1b[31mFAIL 3\x1b[0m in 0.05s]
"""

MANIFEST = {
    "nodes": {
        "model.aiuw.stg_openai__costs": {
            "resource_type": "model",
            "fqn": ["aiuw", "staging", "openai", "stg_openai__costs"],
            "original_file_path": "models/staging/openai/stg_openai__costs.sql",
        },
        "model.aiuw.int_cost": {
            "resource_type": "model",
            "fqn": ["aiuw", "intermediate", "cost", "int_cost"],
            "original_file_path": "models/intermediate/cost/int_cost.sql",
        },
        "model.aiuw.fct_ai_cost_daily": {
            "resource_type": "model",
            "fqn": ["aiuw", "marts", "fct_ai_cost_daily"],
            "original_file_path": "models/marts/fct_ai_cost_daily.sql",
        },
        "test.aiuw.unique_stg_openai__costs_cost_key": {
            "resource_type": "test",
            "original_file_path": "models/staging/openai/_openai__models.yml",
        },
        "test.aiuw.not_null_x": {"resource_type": "test", "original_file_path": "x.yml"},
    }
}

RUN_RESULTS = {
    "results": [
        {"unique_id": "model.aiuw.stg_openai__costs", "status": "success", "execution_time": 0.31},
        {
            "unique_id": "model.aiuw.int_cost",
            "status": "error",
            "execution_time": 0.12,
            "message": "Binder Error: column billed_cost not found",
        },
        {"unique_id": "model.aiuw.fct_ai_cost_daily", "status": "skipped", "execution_time": 0},
        {
            "unique_id": "test.aiuw.unique_stg_openai__costs_cost_key",
            "status": "fail",
            "execution_time": 0.05,
            "message": "Got 3 results, configured to fail if != 0",
        },
        {"unique_id": "test.aiuw.not_null_x", "status": "pass", "execution_time": 0.02},
    ]
}


def test_the_output_counts_finished_nodes_without_colour_codes_and_keeps_every_line():
    output = DbtOutput()
    assert output.progress_line(4) == "dbt build: parsing the project and starting (4s)"
    # dagster-dbt writes a line and its newline separately; a line may arrive in pieces
    for line in DBT_LINES.splitlines():
        output.write(line[:10])
        output.write(line[10:])
        output.write("\n")
    assert output.progress_line(12.4) == "dbt build: 4 of 5 nodes done, 2 failed (12s)"
    assert output.text.splitlines() == [
        line.replace("\x1b[32m", "")
        .replace("\x1b[31m", "")
        .replace("\x1b[33m", "")
        .replace("\x1b[0m", "")
        for line in DBT_LINES.splitlines()
    ]
    assert "\x1b" not in output.text


def test_a_line_per_layer_and_each_failure_in_full():
    assert summary_lines(RUN_RESULTS, MANIFEST) == [
        "dbt staging: 1 nodes (1 success), 0.3s",
        "dbt intermediate: 1 nodes (1 error), 0.1s",
        "dbt marts: 1 nodes (1 skipped), 0.0s",
        "dbt data tests: 2 nodes (1 fail, 1 pass), 0.1s",
    ]
    assert problem_lines(RUN_RESULTS, MANIFEST) == [
        "dbt ERROR: model.aiuw.int_cost (models/intermediate/cost/int_cost.sql): "
        "Binder Error: column billed_cost not found",
        "dbt FAIL: test.aiuw.unique_stg_openai__costs_cost_key "
        "(models/staging/openai/_openai__models.yml): Got 3 results, configured to fail if != 0",
    ]


def test_the_heartbeat_speaks_while_the_block_runs_and_stops_after():
    said: list[str] = []
    spoke = threading.Event()

    def say(line: str) -> None:
        said.append(line)
        spoke.set()

    with heartbeat(say, lambda seconds: f"still working ({seconds:.2f}s)", every=0.01):
        assert spoke.wait(timeout=30)
    count = len(said)
    assert said[0].startswith("still working (") and count >= 1
    threading.Event().wait(0.05)
    assert len(said) == count  # nothing after the block
