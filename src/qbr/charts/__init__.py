"""Trend charts of a KPI or metric over time, with its warning and critical lines: one layout, drawn as SVG for the
pages and as a reportlab drawing for the PDF report, so both show exactly the same picture."""
