"""Building the .pptx with python-pptx: cover, executive summary, scorecard, a slide per key KPI with a native line
chart of its trend, recommendations and roadmap with budget, and goals.

Charts are chart objects with the dashboard view's own series values, so the account manager can restyle or edit
them in PowerPoint; tables are real tables. Figures come from the same view as the pages, the PDF and the API.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from decimal import Decimal
from io import BytesIO
from typing import Any

from pptx import Presentation
from pptx.chart.data import CategoryChartData
from pptx.dml.color import RGBColor
from pptx.enum.chart import XL_CHART_TYPE, XL_LEGEND_POSITION, XL_MARKER_STYLE
from pptx.enum.dml import MSO_LINE_DASH_STYLE
from pptx.enum.text import MSO_AUTO_SIZE
from pptx.presentation import Presentation as PresentationType
from pptx.slide import Slide
from pptx.util import Emu, Inches, Pt

from qbr.branding.service import Brand
from qbr.dashboard.schemas import DashboardKpi, DashboardView
from qbr.deck.story import DeckRecommendation, DeckStory
from qbr.presentation.periods import period_title
from qbr.presentation.status import status_style
from qbr.presentation.values import describe_change, format_value
from qbr.reports.pdf import needing_attention, report_kind, summary_sentence
from qbr.reports.trends import item_status

SLIDE_WIDTH, SLIDE_HEIGHT = Inches(13.333), Inches(7.5)
MARGIN = Inches(0.6)
INK = RGBColor(0x1B, 0x1F, 0x24)
MUTED = RGBColor(0x4A, 0x53, 0x5E)
WHITE = RGBColor(0xFF, 0xFF, 0xFF)
BLANK_LAYOUT = 6


def rgb(colour: str) -> RGBColor:
    return RGBColor.from_string(colour.lstrip("#").upper())


def render_qbr_deck(view: DashboardView, *, brand: Brand, story: DeckStory | None = None) -> bytes:
    """The deck for one organization and period as .pptx bytes."""
    story = story or DeckStory()
    deck = Deck(brand, view)
    deck.cover(story)
    deck.executive_summary(story)
    deck.scorecard()
    for kpi in view.kpis:
        if kpi.is_key:
            deck.kpi_slide(kpi)
    deck.recommendations(story.recommendations)
    deck.goals(story.goals)
    return deck.save()


class Deck:
    """One presentation being built; each method adds one slide in the brand's colours."""

    def __init__(self, brand: Brand, view: DashboardView) -> None:
        self.brand = brand
        self.view = view
        self.primary = rgb(brand.primary_colour)
        self.accent = rgb(brand.accent_colour)
        self.presentation: PresentationType = Presentation()
        self.presentation.slide_width = SLIDE_WIDTH
        self.presentation.slide_height = SLIDE_HEIGHT
        self.period = period_title(view.period.period_value)

    def save(self) -> bytes:
        buffer = BytesIO()
        self.presentation.save(buffer)
        return buffer.getvalue()

    # Slides

    def cover(self, story: DeckStory) -> None:
        slide = self._blank()
        band = slide.shapes.add_shape(1, 0, SLIDE_HEIGHT - Inches(0.5), SLIDE_WIDTH, Inches(0.5))
        band.fill.solid()
        band.fill.fore_color.rgb = self.primary
        band.line.fill.background()
        if self.brand.logo:
            slide.shapes.add_picture(BytesIO(self.brand.logo), MARGIN, MARGIN, height=Inches(1.0))
        else:
            self._text(slide, self.brand.msp_name, MARGIN, MARGIN, size=20, bold=True, colour=self.primary)
        self._text(slide, report_kind(self.view), MARGIN, Inches(2.4), size=22, colour=MUTED)
        self._text(slide, self.view.organization.name, MARGIN, Inches(3.0), size=40, bold=True, colour=self.primary)
        self._text(slide, self.period, MARGIN, Inches(3.9), size=22, colour=MUTED)
        lines = [f"Prepared by {self.brand.msp_name}"]
        if story.version_label:
            lines.append(story.version_label)
        if self.brand.contact_line:
            lines.append(self.brand.contact_line)
        self._text(slide, "\n".join(lines), MARGIN, Inches(5.2), size=14, colour=MUTED)

    def executive_summary(self, story: DeckStory) -> None:
        slide = self._titled("Executive summary")
        summary = story.summary or summary_sentence(self.view, needing_attention(self.view))
        has_lists = bool(story.highlights or story.concerns)
        # Paragraphs are kept; a long summary gets a smaller type rather than running into the lists below it.
        size = 16 if len(summary) < 400 else 13 if len(summary) < 900 else 11
        box = self._text(slide, summary, MARGIN, Inches(1.3), width=SLIDE_WIDTH - 2 * MARGIN, size=size)
        box.name = "Summary"
        box.text_frame.auto_size = MSO_AUTO_SIZE.TEXT_TO_FIT_SHAPE
        box.height = Inches(3.2 if has_lists else 5.4)
        top = Inches(4.7)
        column = (SLIDE_WIDTH - 2 * MARGIN - Inches(0.4)) / 2
        for index, (heading, items) in enumerate((("Highlights", story.highlights), ("Concerns", story.concerns))):
            if items:
                left = MARGIN + index * (column + Inches(0.4))
                self._text(slide, heading, left, top, width=column, size=16, bold=True, colour=self.primary)
                self._bullets(slide, items, left, top + Inches(0.5), width=int(column))

    def scorecard(self) -> None:
        slide = self._titled("Scorecard")
        previous = self.view.previous_period or "previous"
        year_ago = self.view.year_ago_period or "a year ago"
        header = ["KPI", "Value", "Status", f"vs {previous}", f"vs {year_ago}", "Warning", "Critical"]
        rows = [
            [
                kpi.kpi_name,
                format_value(kpi.kpi_value, kpi.unit),
                status_style(item_status(kpi)).label,
                describe_change(kpi.change_pct, kpi.direction, versus=previous).text,
                describe_change(kpi.change_pct_year, kpi.direction, versus=year_ago).text,
                format_value(kpi.warning_value, kpi.unit),
                format_value(kpi.critical_value, kpi.unit),
            ]
            for kpi in self.view.kpis
            if kpi.is_key
        ]
        self._table(slide, "Scorecard", header, rows, [3.2, 1.6, 1.4, 1.5, 1.5, 1.4, 1.4])

    def kpi_slide(self, kpi: DashboardKpi) -> None:
        slide = self._titled(kpi.kpi_name)
        style = status_style(item_status(kpi))
        figure = f"{format_value(kpi.kpi_value, kpi.unit)} · {style.label}"
        self._text(slide, figure, MARGIN, Inches(1.3), size=24, bold=True, colour=rgb(style.ink))
        change = describe_change(kpi.change_pct, kpi.direction, versus=self.view.previous_period or "previous")
        self._text(slide, change.description, MARGIN, Inches(1.9), size=14, colour=MUTED)
        data = CategoryChartData()
        data.categories = [point.period for point in kpi.trend]
        data.add_series(kpi.kpi_name, [_number(point.value) for point in kpi.trend])
        limits = [(label, limit) for label, limit in (("Warning", kpi.warning_value), ("Critical", kpi.critical_value))]
        for label, limit in limits:
            if limit is not None:
                data.add_series(label, [float(limit)] * len(kpi.trend))
        frame = slide.shapes.add_chart(
            XL_CHART_TYPE.LINE_MARKERS, MARGIN, Inches(2.5), SLIDE_WIDTH - 2 * MARGIN, Inches(4.2), data
        )
        frame.name = f"Trend: {kpi.kpi_name}"
        chart = frame.chart
        chart.has_legend = True
        chart.legend.position = XL_LEGEND_POSITION.BOTTOM
        chart.legend.include_in_layout = False
        series = list(chart.plots[0].series)
        series[0].format.line.color.rgb = self.primary
        series[0].smooth = False
        for line in series[1:]:
            line.format.line.color.rgb = rgb(status_style(line.name.lower()).ink)
            line.format.line.dash_style = MSO_LINE_DASH_STYLE.DASH  # a threshold, not a measured series
            line.marker.style = XL_MARKER_STYLE.NONE
            line.smooth = False

    def recommendations(self, items: Sequence[DeckRecommendation]) -> None:
        slide = self._titled("Recommendations and roadmap")
        header = ["Recommendation", "Priority", "Status", "Target", "One-time", "Monthly"]
        rows = [
            [
                item.title,
                item.priority,
                item.status,
                item.target_quarter or "—",
                format_value(item.one_time_cost, "currency"),
                format_value(item.monthly_cost, "currency"),
            ]
            for item in items
        ]
        if rows:
            one_time = sum((item.one_time_cost or Decimal(0) for item in items), Decimal(0))
            monthly = sum((item.monthly_cost or Decimal(0) for item in items), Decimal(0))
            rows.append(["Budget", "", "", "", format_value(one_time, "currency"), format_value(monthly, "currency")])
        else:
            rows.append(["No recommendations yet", "", "", "", "", ""])
        self._table(slide, "Recommendations", header, rows, [4.6, 1.2, 1.4, 1.2, 1.4, 1.4], height=3.0)
        budget = _budget_by_quarter(items)
        if budget:
            data = CategoryChartData()
            data.categories = list(budget)
            data.add_series("One-time", [float(one) for one, _ in budget.values()])
            # Twelve months of the recurring cost: on the same axis as one-time costs, a month alone would vanish.
            data.add_series("Recurring, first year", [float(monthly * 12) for _, monthly in budget.values()])
            frame = slide.shapes.add_chart(
                XL_CHART_TYPE.COLUMN_CLUSTERED, MARGIN, Inches(4.6), SLIDE_WIDTH - 2 * MARGIN, Inches(2.3), data
            )
            frame.name = "Roadmap budget"
            frame.chart.has_legend = True
            frame.chart.legend.position = XL_LEGEND_POSITION.RIGHT
            frame.chart.plots[0].series[0].format.fill.solid()
            frame.chart.plots[0].series[0].format.fill.fore_color.rgb = self.primary

    def goals(self, goals: Sequence[str]) -> None:
        slide = self._titled(f"Goals for the period after {self.period}")
        self._bullets(slide, list(goals) or ["Goals are set in the review meeting."], MARGIN, Inches(1.4))

    # Building blocks

    def _blank(self) -> Slide:
        slide = self.presentation.slides.add_slide(self.presentation.slide_layouts[BLANK_LAYOUT])
        if self.brand.footer_text:
            footer = self._text(
                slide, self.brand.footer_text, MARGIN, SLIDE_HEIGHT - Inches(0.45), size=10, colour=MUTED
            )
            footer.name = "Footer"
        return slide

    def _titled(self, title: str) -> Slide:
        slide = self._blank()
        box = self._text(slide, title, MARGIN, Inches(0.4), width=SLIDE_WIDTH - 2 * MARGIN, size=28, bold=True)
        box.name = "Title"
        box.text_frame.paragraphs[0].runs[0].font.color.rgb = self.primary
        return slide

    def _text(
        self,
        slide: Slide,
        value: str,
        left: int,
        top: int,
        *,
        width: int | None = None,
        size: int = 14,
        bold: bool = False,
        colour: RGBColor = INK,
    ) -> Any:
        box = slide.shapes.add_textbox(left, top, width or SLIDE_WIDTH - 2 * MARGIN, Inches(0.6))
        frame = box.text_frame
        frame.word_wrap = True
        for index, line in enumerate(value.split("\n")):
            paragraph = frame.paragraphs[0] if index == 0 else frame.add_paragraph()
            run = paragraph.add_run()
            run.text = line
            run.font.size = Pt(size)
            run.font.bold = bold
            run.font.color.rgb = colour
        return box

    def _bullets(self, slide: Slide, items: list[str], left: int, top: int, *, width: int | None = None) -> None:
        self._text(slide, "\n".join(f"• {item}" for item in items), left, top, width=width, size=16)

    def _table(
        self,
        slide: Slide,
        name: str,
        header: list[str],
        rows: list[list[str]],
        widths: list[float],
        *,
        height: float = 0.4,
    ) -> None:
        shape = slide.shapes.add_table(
            len(rows) + 1, len(header), MARGIN, Inches(1.4), Inches(sum(widths)), Inches(height)
        )
        shape.name = name
        table = shape.table
        for index, width in enumerate(widths):
            table.columns[index].width = Emu(Inches(width))
        for row_index, values in enumerate([header, *rows]):
            for column_index, value in enumerate(values):
                cell = table.cell(row_index, column_index)
                cell.text = value
                font = cell.text_frame.paragraphs[0].runs[0].font if value else None
                if font is not None:
                    font.size = Pt(12)
                if row_index == 0:
                    cell.fill.solid()
                    cell.fill.fore_color.rgb = self.primary
                    if font is not None:
                        font.color.rgb = WHITE
                        font.bold = True


def _number(value: object) -> float | None:
    return None if value is None else float(value)  # type: ignore[arg-type]


def _budget_by_quarter(items: Sequence[DeckRecommendation]) -> dict[str, tuple[Decimal, Decimal]]:
    """One-time and monthly cost per target quarter, in quarter order (open items without a quarter left out)."""
    totals: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    for item in items:
        if item.target_quarter:
            totals[item.target_quarter][0] += item.one_time_cost or Decimal(0)
            totals[item.target_quarter][1] += item.monthly_cost or Decimal(0)
    return {quarter: (one, monthly) for quarter, (one, monthly) in sorted(totals.items())}
