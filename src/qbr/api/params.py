"""Path and query parameter types shared by the routes, bounded so no value can overflow a database integer."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Query

from qbr.core.schema import MAX_ID

IdPath = Annotated[int, Path(ge=1, le=MAX_ID)]
OrganizationIdQuery = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only this organization.")]
