"""The health check pages: the page itself, its CSV and its PDF for the partnership board (thin)."""

from __future__ import annotations

import csv

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from iomshare.exchange import csv_safety
from iomshare.governance import health, pdf
from iomshare.partnership.signed_in import SignedInRequest

CSV_COLUMNS = ["question", "question_text", "figure", "figure_text", "row", "column", "value"]


def _check_role(request: SignedInRequest) -> None:
    if request.user.role not in health.HEALTH_CHECK_ROLES:
        raise PermissionDenied(
            "The health check is for partnership managers and information-governance leads."
        )


@login_required
def health_check(request: SignedInRequest) -> HttpResponse:
    """Each question of the seed with its verdict, figures, chart, trend and the pages that fix it."""
    _check_role(request)
    check = health.health_check()
    return render(
        request,
        "governance/health_check.html",
        {
            "check": check,
            "verdicts": {
                "good": check.count(health.Verdict.GOOD),
                "attention": check.count(health.Verdict.ATTENTION),
                "not_answered": check.count(health.Verdict.NOT_ANSWERED),
            },
            "nav": "governance",
            "page_title": "Partnership health check",
        },
    )


@login_required
def health_check_csv(request: SignedInRequest) -> HttpResponse:
    """Every figure and every table cell of the health check, safe to open in a spreadsheet."""
    _check_role(request)
    check = health.health_check(with_trends=False)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="health-check-{check.today}.csv"'
    writer = csv.writer(response)
    writer.writerow(CSV_COLUMNS)
    for row in check.csv_rows():
        writer.writerow(csv_safety.safe_row(row))
    return response


@login_required
def health_check_pdf(request: SignedInRequest) -> HttpResponse:
    """The health check as a PDF for the partnership board (figures, charts and tables)."""
    _check_role(request)
    check = health.health_check()
    response = HttpResponse(pdf.render(check), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="health-check-{check.today}.pdf"'
    return response
