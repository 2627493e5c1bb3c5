"""A progress bar on stderr for long scans, only when stderr is a terminal (never in CI logs or with --quiet)."""

from __future__ import annotations

import sys
import time
from typing import TextIO

MIN_FILES = 300  # smaller scans finish before a bar helps
REFRESH_SECONDS = 0.1
WIDTH = 30


class Progress:
    def __init__(self, total: int, stream: TextIO | None = None, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.total = total
        self.done = 0
        self.active = enabled and total >= MIN_FILES and self.stream.isatty()
        self._shown = 0.0

    def advance(self, count: int = 1) -> None:
        self.done += count
        if not self.active:
            return
        now = time.monotonic()
        if now - self._shown >= REFRESH_SECONDS or self.done >= self.total:
            self._shown = now
            filled = WIDTH * self.done // max(self.total, 1)
            bar = "#" * filled + "-" * (WIDTH - filled)
            self.stream.write(f"\rprivacy-lint [{bar}] {self.done}/{self.total} files")
            self.stream.flush()

    def close(self) -> None:
        if self.active:
            self.stream.write("\r" + " " * (WIDTH + 40) + "\r")  # leave the terminal as it was
            self.stream.flush()
