"""Imports every model so that ``Base.metadata`` describes the whole schema (Alembic and tests use it)."""

from qbr.auth.models import (
    ApiKey,
    AuthFailure,
    RecentWrite,
    User,
    UserSession,
    api_key_organizations,
    user_organizations,
)
from qbr.branding.models import BrandSetting
from qbr.connectors.models import ConnectorSetting, SyncRun
from qbr.core.orm import Base
from qbr.core.versions import DataVersion
from qbr.email.models import EmailAttempt, EmailDelivery, EmailRecipient, EmailSchedule, EmailSetting
from qbr.kpis.models import SmartNumber
from qbr.metrics.models import (
    KpiDefinition,
    KpiReferenceRange,
    MetricCorrection,
    MetricDefinition,
    MetricMonthly,
    MetricQuarterly,
)
from qbr.organizations.models import Organization, OrganizationLink
from qbr.periods.models import Period
from qbr.reviews.models import Recommendation, Review, ReviewGoal, ReviewVersion
from qbr.sharing.models import ShareLink, ShareLinkOpening
from qbr.thresholds.models import Threshold

__all__ = [
    "ApiKey",
    "AuthFailure",
    "Base",
    "BrandSetting",
    "ConnectorSetting",
    "DataVersion",
    "EmailAttempt",
    "EmailDelivery",
    "EmailRecipient",
    "EmailSchedule",
    "EmailSetting",
    "KpiDefinition",
    "KpiReferenceRange",
    "MetricCorrection",
    "MetricDefinition",
    "MetricMonthly",
    "MetricQuarterly",
    "Organization",
    "OrganizationLink",
    "Period",
    "RecentWrite",
    "Recommendation",
    "Review",
    "ReviewGoal",
    "ReviewVersion",
    "ShareLink",
    "ShareLinkOpening",
    "SmartNumber",
    "SyncRun",
    "Threshold",
    "User",
    "UserSession",
    "api_key_organizations",
    "user_organizations",
]
