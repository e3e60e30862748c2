"""PDFs draw their charts as the page does: the charts' styles reach WeasyPrint's SVG renderer,
and the page check (PDFium renders each page to an image) finds a chart drawn without them."""

from __future__ import annotations

from django.template.loader import render_to_string
from weasyprint import HTML

from infuse.core.pdf import with_chart_styles
from tests.pdf_pages import page_problems

CHART = (
    '<html lang="en"><body><h1>A chart</h1>'
    '<svg class="infuse-chart infuse-flow" viewBox="0 0 600 200" role="img">'
    '<rect class="infuse-flow__box" x="20" y="20" width="250" height="60" rx="4"/>'
    '<text class="infuse-chart__tick" x="145" y="55" text-anchor="middle">Analysed: 600</text>'
    "</svg></body></html>"
)


def test_every_chart_carries_the_print_styles():
    styled = with_chart_styles(CHART + CHART)
    assert styled.count("<style>") == 2
    assert ".infuse-flow__box { fill: #ffffff" in styled


def test_the_page_check_finds_a_chart_drawn_without_its_styles():
    # As before the fix: the document's stylesheet does not reach the SVG; boxes come out black.
    css = render_to_string("core/print.css")
    unstyled = HTML(string=f"<style>{css}</style>{CHART}").write_pdf()
    assert any("solid dark shape" in p for p in page_problems(unstyled))
    styled = HTML(string=with_chart_styles(f"<style>{css}</style>{CHART}")).write_pdf()
    assert page_problems(styled) == []


def test_the_page_check_finds_text_too_small_to_read():
    tiny = CHART.replace('viewBox="0 0 600 200"', 'viewBox="0 0 6000 2000"')
    problems = page_problems(HTML(string=with_chart_styles(tiny)).write_pdf())
    assert any("text smaller than" in p for p in problems)
