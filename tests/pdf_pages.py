"""A PDF's pages as a reader sees them: rendered to images (PDFium, an independent renderer),
then checked for what makes a chart unreadable on paper.

Two faults seen before: a chart whose styles never reached the PDF renderer, drawn as solid
black boxes; and chart text scaled down until it cannot be read.
"""

from __future__ import annotations

import numpy as np
import pypdfium2 as pdfium

DARK = 80  # grey level (0 black, 255 white) below which a pixel is ink
SOLID_PT = 17  # a dark square this big (6 mm) is a filled shape, not a letter or a line
SMALLEST_TEXT_PT = 7.0  # below this a printed label is hard to read
CAP_HEIGHT = 0.73  # a capital's or a digit's height in DejaVu Sans, as a share of its size


def _dark_squares(pixels: np.ndarray, side: int) -> bool:
    """Whether some ``side`` × ``side`` square of the page is wholly ink."""
    ink = (pixels < DARK).astype(np.int32)
    summed = np.pad(ink, ((1, 0), (1, 0))).cumsum(0).cumsum(1)
    below, above = summed[side:], summed[:-side]
    windows = below[:, side:] - above[:, side:] - below[:, :-side] + above[:, :-side]
    return bool((windows == side * side).any())


def _small_text(page: pdfium.PdfPage) -> list[tuple[str, float]]:
    """Capitals and digits drawn smaller than :data:`SMALLEST_TEXT_PT`, by their size as
    placed on the page (the font's own size ignores the SVG's scaling): a capital's height is
    about :data:`CAP_HEIGHT` of the font size."""
    text = page.get_textpage()
    small = []
    for index in range(text.count_chars()):
        character = text.get_text_range(index, 1)
        if not (character.isdigit() or character.isupper()):
            continue
        _left, bottom, _right, top = text.get_charbox(index)
        size = (top - bottom) / CAP_HEIGHT
        if size < SMALLEST_TEXT_PT:
            small.append((character, round(size, 1)))
    return small


def page_problems(pdf: bytes) -> list[str]:
    """Each page's solid fills and unreadably small text, in words (empty when all is well)."""
    document = pdfium.PdfDocument(pdf)
    problems = []
    for number, page in enumerate(document, start=1):
        image = page.render(scale=1, grayscale=True).to_numpy()
        pixels = image if image.ndim == 2 else image[..., 0]
        if _dark_squares(pixels, SOLID_PT):
            problems.append(f"page {number}: a solid dark shape (a chart drawn without styles?)")
        small = _small_text(page)
        if small:
            problems.append(f"page {number}: text smaller than {SMALLEST_TEXT_PT} pt: {small[:5]}")
    return problems


def page_text(pdf: bytes) -> str:
    """All the text of the PDF, page after page."""
    document = pdfium.PdfDocument(pdf)
    return "\n".join(page.get_textpage().get_text_range() for page in document)
