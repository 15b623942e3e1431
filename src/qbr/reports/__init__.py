"""The QBR report a client sees: a PDF (reportlab) built from the same dashboard view as the pages."""
