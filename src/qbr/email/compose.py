"""Composing a QBR e-mail from templates: the brand, the first paragraph of the executive summary, the share link
and/or the PDF, as plain text with an HTML alternative."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from qbr.branding.service import Brand
from qbr.presentation.periods import day_text, period_title

_environment = Environment(
    loader=PackageLoader("qbr.email", "templates"),
    autoescape=select_autoescape(["html"]),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    keep_trailing_newline=True,
)


@dataclass(frozen=True)
class QbrMessageContent:
    """What one organization's message says; the same for each of its recipients."""

    organization: str
    period: str
    summary: str
    link: str | None
    link_expires: date | None
    pdf: bytes | None
    pdf_filename: str


def first_paragraph(text: str) -> str:
    """The executive summary's first paragraph (paragraphs are separated by a blank line)."""
    for paragraph in text.replace("\r\n", "\n").split("\n\n"):
        if paragraph.strip():
            return " ".join(paragraph.split())
    return ""


def compose_message(
    content: QbrMessageContent, *, brand: Brand, sender: str, recipient: str, message_id: str
) -> EmailMessage:
    context = {
        "brand": brand,
        "organization": content.organization,
        "period_title": period_title(content.period),
        "summary": first_paragraph(content.summary),
        "link": content.link,
        "link_expires": day_text(content.link_expires, long=True) if content.link_expires else "",
        "attached": content.pdf is not None,
    }
    message = EmailMessage()
    message["Subject"] = " ".join(_environment.get_template("subject.txt").render(context).split())
    message["From"] = sender
    message["To"] = recipient
    # The same Message-ID on every attempt: a copy resent after a crash can be recognised as the same message.
    message["Message-ID"] = message_id
    message.set_content(_environment.get_template("message.txt").render(context))
    message.add_alternative(_environment.get_template("message.html").render(context), subtype="html")
    if content.pdf is not None:
        message.add_attachment(content.pdf, maintype="application", subtype="pdf", filename=content.pdf_filename)
    return message
