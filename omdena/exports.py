"""Files the platform hands out: CSV cells a spreadsheet will not run, and downloads with a file name."""

from django.http import HttpResponse

# A cell starting with one of these is run as a formula by spreadsheets (CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """Neutralise a text cell a spreadsheet would run as a formula by prefixing a quote; other values pass."""
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def attachment(content: str | bytes, *, content_type: str, filename: str) -> HttpResponse:
    """A download: the browser saves `content` as `filename`."""
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
