"""The progress protocol the TypeScript worker reads: one JSON object per line on stdout, nothing else there.

setup() moves file descriptor 1 to stderr before anything can print, so stray prints from libraries (or C code)
land in the logs, and keeps a private duplicate of the real stdout for events.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from typing import Any, Optional, TextIO

_events: Optional[TextIO] = None


class Terminated(SystemExit):
    """Raised from the SIGTERM handler: exit code 143, and as a BaseException no `except Exception` swallows it.

    Raising (instead of os._exit) lets subprocess.run kill a running judge on the way out. Nothing is saved:
    a checkpoint being written stays a temp dir, which resume ignores and the next start deletes.
    """

    def __init__(self) -> None:
        super().__init__(143)


def _on_sigterm(signum: int, frame: Any) -> None:
    os.write(2, b"SIGTERM received, exiting with 143 without saving\n")
    raise Terminated()


def handle_sigterm() -> None:
    """Entry points call this before importing torch (seconds), so even an early cancel exits with 143."""
    signal.signal(signal.SIGTERM, _on_sigterm)


def setup() -> None:
    global _events
    handle_sigterm()
    if _events is None:
        sys.stdout.flush()
        _events = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s", force=True
    )


def emit(event: str, **fields: Any) -> None:
    stream = _events if _events is not None else sys.stdout
    stream.write(json.dumps({"event": event, **fields}) + "\n")
    stream.flush()
