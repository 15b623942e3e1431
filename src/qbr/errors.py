"""The exception tree every layer shares, so the CLI and the API can turn any refusal into a clear message.

QbrError
 ├── InvalidInput      bad input; carries field-level problems (what, where, what is accepted)
 ├── NotFound          a named thing does not exist
 ├── Conflict          the request clashes with stored state (duplicates, closed periods, data still present)
 ├── DatabaseUnavailable  the database cannot be reached
 ├── NotAuthenticated  no valid credentials were presented (missing, unknown, revoked or disabled)
 ├── PermissionDenied  the credentials are valid but their role does not allow the action
 └── TooManyAttempts   too many failed sign-ins or bad keys from one client; retry later
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, what is wrong, what would be accepted."""

    location: str
    message: str
    accepted: str | None = None

    def __str__(self) -> str:
        text = f"{self.location}: {self.message}" if self.location else self.message
        return f"{text} (accepted: {self.accepted})" if self.accepted else text


class QbrError(Exception):
    """Base of every error the product reports to a user."""


@dataclass
class InvalidInput(QbrError):
    """Input was refused; ``problems`` lists every problem found, not just the first."""

    summary: str
    problems: list[Problem] = field(default_factory=list)
    omitted: int = 0  # problems found but not listed, to keep messages readable

    def __post_init__(self) -> None:
        super().__init__(self.summary)

    def __str__(self) -> str:
        if not self.problems or (len(self.problems) == 1 and self.summary == str(self.problems[0])):
            return self.summary
        lines = [self.summary, *(f"  {p}" for p in self.problems)]
        if self.omitted:
            lines.append(f"  … and {self.omitted} more")
        return "\n".join(lines)

    @classmethod
    def single(cls, location: str, message: str, accepted: str | None = None) -> InvalidInput:
        problem = Problem(location, message, accepted)
        return cls(str(problem), [problem])


class NotFound(QbrError):
    """A named thing (organization, period, metric, key…) does not exist."""


class Conflict(QbrError):
    """The request is well-formed but clashes with what is stored."""


class DatabaseUnavailable(QbrError):
    """The database could not be reached."""


class NotAuthenticated(QbrError):
    """No valid credentials: missing, unknown, revoked, or belonging to a disabled user."""


class PermissionDenied(QbrError):
    """Valid credentials whose role (or organization scope) does not allow the action."""


class TooManyAttempts(QbrError):
    """Too many failed authentication attempts from one client; ``retry_after`` is in whole seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after
