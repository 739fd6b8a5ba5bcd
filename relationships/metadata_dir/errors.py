"""The one error of the metadata directory: what went wrong, in which file, and where in it."""

from __future__ import annotations


class MetadataDirError(Exception):
    """A metadata directory that cannot be read or written; `file` is relative to the directory root."""

    def __init__(self, message: str, file: str, detail: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.file = file
        self.detail = detail

    def __str__(self) -> str:
        text = f"{self.file}: {self.message}"
        return f"{text} ({self.detail})" if self.detail else text
