"""What one delivery carries: the organization's review for the period, as a summary paragraph, a link and a PDF."""

from __future__ import annotations

from email.message import EmailMessage

from sqlalchemy.orm import Session

from qbr.branding.service import current_brand
from qbr.core.settings import Settings
from qbr.dashboard.service import build_dashboard
from qbr.email.compose import QbrMessageContent, compose_message
from qbr.email.config import SmtpConfig, smtp_config
from qbr.email.models import EmailDelivery
from qbr.email.outbox import MessageBuilder
from qbr.reports.pdf import needing_attention, render_qbr_pdf, summary_sentence


def message_content(session: Session, settings: Settings, delivery: EmailDelivery) -> QbrMessageContent:
    view = build_dashboard(session, delivery.organization_id, delivery.period)
    brand = current_brand(session, settings)
    pdf = render_qbr_pdf(view, brand=brand) if delivery.attach_pdf else None
    link = (
        f"{settings.public_url}/organizations/{delivery.organization_id}/qbr/{delivery.period}"
        if delivery.include_link
        else None
    )
    return QbrMessageContent(
        organization=view.organization.name,
        period=delivery.period,
        summary=summary_sentence(view, needing_attention(view)),
        link=link,
        link_expires=None,
        pdf=pdf,
        pdf_filename=f"QBR {view.organization.name} {delivery.period}.pdf",
    )


def qbr_message_builder(settings: Settings) -> MessageBuilder:
    def build(session: Session, delivery: EmailDelivery) -> tuple[SmtpConfig, EmailMessage]:
        config = smtp_config(session, settings)
        content = message_content(session, settings, delivery)
        message = compose_message(
            content,
            brand=current_brand(session, settings),
            sender=config.from_address,
            recipient=delivery.recipient,
            message_id=delivery.message_id,
        )
        return config, message

    return build
