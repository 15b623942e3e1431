"""What one delivery carries: the client edition of the published review version it was recorded for, as the
executive summary's first paragraph, the share link and the PDF."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbr.branding.service import Brand, current_brand
from qbr.core.settings import Settings
from qbr.email.compose import QbrMessageContent, compose_message
from qbr.email.config import SmtpConfig, smtp_config
from qbr.email.models import EmailDelivery
from qbr.email.outbox import MessageBuilder
from qbr.errors import NotFound
from qbr.organizations.models import Organization
from qbr.reports.review_deck import render_review_pdf
from qbr.reviews.models import ReviewVersion
from qbr.reviews.reading import review_for, review_glossary
from qbr.reviews.schemas import Edition
from qbr.sharing.models import ShareLink
from qbr.sharing.service import message_token, share_url, token_hash


def message_content(session: Session, settings: Settings, brand: Brand, delivery: EmailDelivery) -> QbrMessageContent:
    version = session.get(ReviewVersion, delivery.review_version_id)
    organization = session.get(Organization, delivery.organization_id)
    if version is None or organization is None:
        raise NotFound(f"the review version of e-mail delivery {delivery.id} no longer exists")
    edition: Edition = "internal" if organization.is_msp else "client"
    review = review_for(session, version.organization_id, version.period, edition, version=version.version)
    pdf = render_review_pdf(review, brand=brand, glossary=review_glossary(session)) if delivery.attach_pdf else None
    link, expires = None, None
    if delivery.include_link:
        token = message_token(settings.secret_key, delivery.message_id)
        shared = session.scalar(select(ShareLink).where(ShareLink.token_hash == token_hash(token)))
        if shared is not None:
            link, expires = share_url(settings.public_url, token), shared.expires_at.date()
    return QbrMessageContent(
        organization=review.organization_name,
        period=review.period,
        summary=review.summary,
        link=link,
        link_expires=expires,
        pdf=pdf,
        pdf_filename=f"QBR {review.organization_name} {review.period}.pdf",
    )


def qbr_message_builder(settings: Settings) -> MessageBuilder:
    def build(session: Session, delivery: EmailDelivery) -> tuple[SmtpConfig, EmailMessage]:
        config = smtp_config(session, settings)
        brand = current_brand(session, settings)
        content = message_content(session, settings, brand, delivery)
        message = compose_message(
            content,
            brand=brand,
            sender=config.from_address,
            recipient=delivery.recipient,
            message_id=delivery.message_id,
        )
        return config, message

    return build
