"""What a run started from the command line prints: a short line per message at INFO and above
and one per finished step with its time, a failed step's own error, no colour, no line longer than
MAX_LINE (a longer message wraps, indented). Dagster's own events stay in the run's Dagster log; a
connector's line per page, file or day is DEBUG, below the instance's `python_log_level`.
"""

from __future__ import annotations

import logging
import re
import sys
import textwrap
import time

import dagster as dg

from orchestration.cli.summary import MAX_LINE

CONSOLE_LOGGER = "console"
# a job's logger is only set up when the run config names it
CONSOLE_RUN_CONFIG = {"loggers": {CONSOLE_LOGGER: {}}}
PROGRESS_LOGGER = "aiuw.progress"
# where Dagster keeps a record's step, run and event
DAGSTER_META_ATTR = "dagster_meta"
# an ingest step's key, `raw__<source>__<entity>`, is shown as `<source>/<entity>`
RAW_STEP = re.compile(r"^raw__(?P<source>.+?)__(?P<entity>[^_].*)$")
_SHOWN_EVENTS = {
    dg.DagsterEventType.STEP_SUCCESS: "done",
    dg.DagsterEventType.STEP_FAILURE: "FAILED",
    dg.DagsterEventType.STEP_SKIPPED: "skipped",
}


class ProgressFormatter(logging.Formatter):
    """`[  12s]  3/45 step_key: message`, counting the steps that have finished."""

    def __init__(self, steps: int) -> None:
        super().__init__()
        self.steps = steps
        self.finished = 0
        self.began = time.monotonic()

    def format(self, record: logging.LogRecord) -> str:
        meta = getattr(record, DAGSTER_META_ATTR)
        event = meta["dagster_event"]
        text = meta["orig_message"]
        if event is not None:
            self.finished += 1
            text = _SHOWN_EVENTS[event.event_type]
            if event.event_type == dg.DagsterEventType.STEP_SUCCESS:
                text = f"done in {event.event_specific_data.duration_ms / 1000:.1f}s"
            if event.event_type == dg.DagsterEventType.STEP_FAILURE and event.step_failure_data:
                text = f"FAILED: {_root_cause(event.step_failure_data.error)}"
        elif record.levelno >= logging.WARNING:
            text = f"{record.levelname}: {text}"
        step = shown_step(meta["step_key"] or meta["job_name"] or "run")
        text = text.removeprefix(f"{step}: ")  # a connector's line names its entity too
        count = f"{self.finished}/{self.steps} " if event is not None else ""
        return wrapped(f"[{time.monotonic() - self.began:5.0f}s] {count}{step}: {text}")


def shown_step(step_key: str) -> str:
    raw = RAW_STEP.match(step_key)
    return f"{raw['source']}/{raw['entity']}" if raw else step_key


def wrapped(line: str) -> str:
    """`line` in lines of at most MAX_LINE characters, continuations indented under the text."""
    if len(line) <= MAX_LINE:
        return line
    return "\n".join(textwrap.wrap(line, MAX_LINE, subsequent_indent=" " * 10))


def _root_cause(error) -> str:
    """The asset's own error, not Dagster's wrapper around it."""
    while error.cause is not None:
        error = error.cause
    return error.message.strip()


def _shown(record: logging.LogRecord) -> bool:
    meta = getattr(record, DAGSTER_META_ATTR, None)
    if meta is None:
        return False
    event = meta["dagster_event"]
    if event is not None:
        return event.event_type in _SHOWN_EVENTS
    return record.levelno >= logging.INFO


def progress_logger(steps: int) -> dg.LoggerDefinition:
    """A console logger for a run of `steps` steps."""

    @dg.logger(description="One line per step and per message of the project's assets.")
    def progress(_init_context) -> logging.Logger:
        handler = logging.StreamHandler(sys.stdout)
        handler.setFormatter(ProgressFormatter(steps))
        handler.addFilter(_shown)
        console = logging.Logger(PROGRESS_LOGGER, logging.DEBUG)
        console.addHandler(handler)
        return console

    return progress


def with_progress_console(job: dg.JobDefinition) -> dg.JobDefinition:
    """The job with the progress logger as its console (the CLI's runs, with CONSOLE_RUN_CONFIG)."""
    return job.with_logger_defs({CONSOLE_LOGGER: progress_logger(len(job.graph.node_dict))})


def print_step_failures(result: dg.ExecuteInProcessResult, prefix: str) -> None:
    """Each failed step of an in-process run on stderr, with its error's message."""
    for event in result.all_events:
        if event.is_step_failure:
            message = event.event_specific_data.error.message.strip()[:2000]
            print(f"{prefix}{event.step_key}: {message}", file=sys.stderr)
