"""Dependencies of the pages: the signed-in principal (or a redirect to sign in) and role checks."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from qbr.api.deps import SessionDep
from qbr.core.principal import Principal
from qbr.errors import NotAuthenticated
from qbr.organizations.models import Organization
from qbr.web.session import page_session_principal


class LoginRequired(NotAuthenticated):
    """Nobody is signed in: pages answer with a redirect to the sign-in page, which then comes back here."""


def page_principal(request: Request, session: SessionDep) -> Principal:
    principal = page_session_principal(request, session)
    if principal is None:
        raise LoginRequired("sign in to see this page")
    request.state.page_principal = principal
    msp_id = session.scalar(select(Organization.id).where(Organization.is_msp))
    # The MSP's own numbers are internal: only principals that may see the MSP organization get the link.
    request.state.msp_organization_id = msp_id if msp_id is not None and principal.can_see(msp_id) else None
    return principal


def page_editor(principal: Annotated[Principal, Depends(page_principal)]) -> Principal:
    principal.require_role("editor")
    return principal


def page_admin(principal: Annotated[Principal, Depends(page_principal)]) -> Principal:
    principal.require_unscoped("admin", "changing KPI definitions")
    return principal


PagePrincipal = Annotated[Principal, Depends(page_principal)]
PageEditor = Annotated[Principal, Depends(page_editor)]
PageAdmin = Annotated[Principal, Depends(page_admin)]
