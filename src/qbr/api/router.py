"""Every resource router under /api/v1, each documented with the problem responses it can give."""

from __future__ import annotations

from fastapi import APIRouter

from qbr.api.problems import PROBLEM_RESPONSES
from qbr.organizations import endpoints as organizations

api_router = APIRouter(responses=PROBLEM_RESPONSES)
for domain_router in (organizations.router,):
    api_router.include_router(domain_router)
