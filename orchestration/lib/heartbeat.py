"""A line every few seconds while a long step runs, so a person watching knows it is alive."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

EVERY_SECONDS = 10.0


@contextmanager
def heartbeat(
    say: Callable[[str], None], describe: Callable[[float], str], every: float = EVERY_SECONDS
) -> Iterator[None]:
    """Calls `say(describe(seconds since the block began))` every `every` seconds until it ends."""
    stop = threading.Event()
    began = time.monotonic()

    def beat() -> None:
        while not stop.wait(every):
            say(describe(time.monotonic() - began))

    thread = threading.Thread(target=beat, name="heartbeat", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()
