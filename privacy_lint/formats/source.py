"""The scanned files' lines, read once each: the code that output formats and the report quote."""

from __future__ import annotations

from pathlib import Path


class SourceLines:
    def __init__(self) -> None:
        self._lines: dict[str, list[str]] = {}

    def of(self, path: str) -> list[str]:
        """A file's lines; none when it cannot be read (it was reported when it was scanned)."""
        found = self._lines.get(path)
        if found is None:
            try:
                found = Path(path).read_text(encoding="utf-8", errors="replace").splitlines()
            except OSError:
                found = []
            self._lines[path] = found
        return found

    def line(self, path: str, number: int) -> str | None:
        lines = self.of(path)
        return lines[number - 1] if 0 < number <= len(lines) else None
