"""E-mailing the QBR: SMTP settings, recipients, schedules, composing and sending, and the delivery log."""
