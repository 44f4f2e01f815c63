"""Child processes that cannot outlive the process that started them.

A run killed with SIGKILL runs no cleanup, so its children (dbt above all, which holds the DuckDB
write lock) would keep running as orphans. On Linux the kernel kills them instead: each child asks,
before it executes anything, to receive SIGKILL when its parent dies (prctl PR_SET_PDEATHSIG).
Elsewhere children start as usual.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
from collections.abc import Callable
from typing import Any

_PR_SET_PDEATHSIG = 1


def _load_prctl() -> Callable[..., int] | None:
    if not sys.platform.startswith("linux"):
        return None
    libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    return libc.prctl


_prctl = _load_prctl()


def dies_with_parent_supported() -> bool:
    return _prctl is not None


def _die_with(parent_pid: int) -> Callable[[], None]:
    def in_child() -> None:
        # Runs in the child between fork and exec: only a system call and a pid comparison.
        _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
        if os.getppid() != parent_pid:  # the parent died before the request took effect
            os.kill(os.getpid(), signal.SIGKILL)

    return in_child


def popen_dying_with_parent(*args: Any, **kwargs: Any) -> subprocess.Popen:
    """`subprocess.Popen` whose child is killed when this process dies, however it dies (Linux).

    The kernel ties the child to the thread that starts it: start it from a thread that lives as long
    as the child is needed (a Dagster step's thread waits for its dbt, so it does).
    """
    if _prctl is not None and kwargs.get("preexec_fn") is None:
        kwargs["preexec_fn"] = _die_with(os.getpid())
    return subprocess.Popen(*args, **kwargs)


class SubprocessDyingWithParent:
    """The `subprocess` module as a library's module sees it, with children tied to this process."""

    Popen = staticmethod(popen_dying_with_parent)

    def __getattr__(self, name: str) -> Any:
        return getattr(subprocess, name)
