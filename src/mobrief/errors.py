"""The errors mobrief raises: each names the file, URL, record or field it is about."""

from __future__ import annotations


class MobriefError(Exception):
    """Base of every error mobrief reports to a user."""


class BadRecord(MobriefError):
    """One record of an input could not be used; the others still are.

    `cause` is the kind of fault, what an ingest summary groups by ("not JSON", "published_at out of range");
    it defaults to the field at fault.
    """

    def __init__(self, path: str, line: int | None, field: str | None, reason: str, cause: str | None = None) -> None:
        self.path = path
        self.line = line
        self.field = field
        self.reason = reason
        self.cause = cause or (f"unusable {field}" if field else "unreadable record")
        super().__init__(str(self))

    def __reduce__(self) -> tuple[type[BadRecord], tuple[str, int | None, str | None, str, str]]:
        return type(self), (self.path, self.line, self.field, self.reason, self.cause)  # picklable across processes

    def __str__(self) -> str:
        where = self.path
        if self.line is not None:
            where += f":{self.line}"
        if self.field:
            where += f" [{self.field}]"
        return f"{where}: {self.reason}"


class SourceUnavailable(MobriefError):
    """An input could not be read at all: missing file, unreachable URL, not a feed."""

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"{location}: {reason}")

    def __reduce__(self) -> tuple[type[SourceUnavailable], tuple[str, str]]:
        return type(self), (self.location, self.reason)  # picklable across processes


class ConfigError(MobriefError):
    """A setting or an option has a value mobrief cannot use."""


class DatabaseUnavailable(MobriefError):
    """The database could not be opened at all: a missing directory, a server that does not answer, no such database."""

    def __init__(self, location: str, reason: str) -> None:
        self.location = location
        self.reason = reason
        super().__init__(f"cannot open the database {location}: {reason}")


class NotFound(MobriefError):
    """A stored record asked for by id does not exist."""
