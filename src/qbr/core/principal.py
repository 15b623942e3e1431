"""Who is asking: the role and organization scope of an API key or a signed-in user, and the checks on them."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, or_, true

from qbr.errors import NotFound, PermissionDenied

Role = Literal["admin", "editor", "viewer"]
_RANK: dict[str, int] = {"viewer": 0, "editor": 1, "admin": 2}


@dataclass(frozen=True)
class Principal:
    """An authenticated caller. ``organization_ids`` is None when it may see every organization."""

    kind: Literal["api_key", "user"]
    id: int
    name: str
    role: Role
    organization_ids: frozenset[int] | None = None

    @property
    def is_scoped(self) -> bool:
        return self.organization_ids is not None

    def has_role(self, role: Role) -> bool:
        return _RANK[self.role] >= _RANK[role]

    def require_role(self, role: Role) -> None:
        if not self.has_role(role):
            raise PermissionDenied(f"this needs the {role} role; {self.describe()} has the {self.role} role")

    def require_unscoped(self, role: Role, action: str) -> None:
        """For what only the MSP's own staff may change: the catalog, defaults, periods, organizations, keys."""
        self.require_role(role)
        if self.is_scoped:
            raise PermissionDenied(
                f"{action} needs an {role} not limited to organizations; {self.describe()} is limited to some"
            )

    def can_see(self, organization_id: int | None) -> bool:
        return self.organization_ids is None or organization_id in self.organization_ids

    def require_visible(self, organization_id: int, what: str = "organization") -> None:
        # Another organization's resource answers exactly like a missing one, so ids reveal nothing.
        if not self.can_see(organization_id):
            raise NotFound(f"no {what} with id {organization_id}" if what == "organization" else f"no such {what}")

    def organization_filter(self, column: Any, *, include_defaults: bool = False) -> ColumnElement[bool]:
        """A WHERE clause limiting ``column`` (an organization id) to what this principal may see.

        ``include_defaults`` also lets rows with no organization through (default thresholds apply to everyone).
        """
        if self.organization_ids is None:
            return true()
        visible = column.in_(sorted(self.organization_ids))
        return or_(column.is_(None), visible) if include_defaults else visible

    def describe(self) -> str:
        return f"API key {self.name!r}" if self.kind == "api_key" else f"user {self.name!r}"
