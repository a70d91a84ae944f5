"""The certificate as a one-page PDF (reportlab), with a QR code of its public verification page.

Fonts are DejaVu Sans, shipped in collaborators/fonts/ (its licence is beside it), so names in any
Latin, Greek or Cyrillic script print the same on every machine.
"""

import io
from functools import cache
from pathlib import Path
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils.formats import date_format
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.colors import HexColor
from reportlab.lib.enums import TA_CENTER
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import Paragraph

from .certificate_links import verification_url

FONT_DIR = Path(__file__).resolve().parent / "fonts"
BRAND = HexColor("#0f5c4d")
INK = HexColor("#1f2933")
MUTED = HexColor("#52606d")
PAGE = landscape(A4)
QR_SIZE = 38 * mm


@cache
def _register_fonts() -> None:
    pdfmetrics.registerFont(TTFont("DejaVuSans", FONT_DIR / "DejaVuSans.ttf"))
    pdfmetrics.registerFont(TTFont("DejaVuSans-Bold", FONT_DIR / "DejaVuSans-Bold.ttf"))


def _centered(canvas: Canvas, text: str, y: float, *, font: str, size: float, colour=INK) -> None:
    canvas.setFont(font, size)
    canvas.setFillColor(colour)
    canvas.drawCentredString(PAGE[0] / 2, y, text)


def _qr(canvas: Canvas, value: str, x: float, y: float) -> None:
    widget = QrCodeWidget(value, barLevel="M")
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(QR_SIZE, QR_SIZE, transform=[QR_SIZE / (right - left), 0, 0, QR_SIZE / (top - bottom), 0, 0])
    drawing.add(widget)
    renderPDF.draw(drawing, canvas, x, y)


def certificate_pdf(certificate) -> bytes:
    """Render one certificate; the PDF's text (name, challenge, role, dates, id, URL) can be selected and searched."""
    _register_fonts()
    width, height = PAGE
    url = verification_url(certificate)
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=PAGE, pageCompression=1)
    canvas.setTitle(f"Certificate: {certificate.holder_name}, {certificate.challenge_title}")
    canvas.setAuthor(settings.CERTIFICATE_ISSUER)
    canvas.setSubject(url)

    canvas.setStrokeColor(BRAND)
    canvas.setLineWidth(3)
    canvas.rect(12 * mm, 12 * mm, width - 24 * mm, height - 24 * mm)
    canvas.setLineWidth(0.6)
    canvas.rect(15 * mm, 15 * mm, width - 30 * mm, height - 30 * mm)

    _centered(
        canvas, settings.CERTIFICATE_ISSUER.upper(), height - 38 * mm, font="DejaVuSans-Bold", size=14, colour=BRAND
    )
    _centered(canvas, "Certificate of completion", height - 56 * mm, font="DejaVuSans-Bold", size=30)
    _centered(canvas, "This certifies that", height - 72 * mm, font="DejaVuSans", size=13, colour=MUTED)

    name_size = 32 if len(certificate.holder_name) <= 32 else 24
    _centered(canvas, certificate.holder_name, height - 88 * mm, font="DejaVuSans-Bold", size=name_size, colour=BRAND)
    role = certificate.get_role_display().lower()
    _centered(
        canvas, f"took part as {role} in the challenge", height - 101 * mm, font="DejaVuSans", size=13, colour=MUTED
    )

    title_style = ParagraphStyle(
        "title", fontName="DejaVuSans-Bold", fontSize=20, leading=25, alignment=TA_CENTER, textColor=INK
    )
    title = Paragraph(escape(certificate.challenge_title), title_style)  # Paragraph reads its text as markup
    _w, title_height = title.wrap(width - 80 * mm, 60 * mm)
    title_top = height - 108 * mm
    title.drawOn(canvas, 40 * mm, title_top - title_height)

    below = title_top - title_height - 10 * mm
    _centered(canvas, f"run for {certificate.organisation_name}", below, font="DejaVuSans", size=13, colour=MUTED)
    dates = f"{date_format(certificate.started_on, 'j F Y')} – {date_format(certificate.ended_on, 'j F Y')}"
    _centered(canvas, dates, below - 8 * mm, font="DejaVuSans", size=13, colour=MUTED)

    # Verification block: QR bottom right, the same URL and the id in text bottom left.
    _qr(canvas, url, width - 24 * mm - QR_SIZE, 22 * mm)
    canvas.setFillColor(MUTED)
    canvas.setFont("DejaVuSans", 9)
    lines = [
        f"Issued {date_format(certificate.issued_at, 'j F Y')} · Certificate id {certificate.pk}",
        "Check that it is valid at:",
        *simpleSplit(url, "DejaVuSans", 9, width - 80 * mm - QR_SIZE),
    ]
    for index, line in enumerate(lines):
        canvas.drawString(26 * mm, 22 * mm + (len(lines) - 1 - index) * 4.6 * mm, line)
    canvas.linkURL(url, (width - 24 * mm - QR_SIZE, 22 * mm, width - 24 * mm, 22 * mm + QR_SIZE), relative=0)

    canvas.showPage()
    canvas.save()
    return buffer.getvalue()
