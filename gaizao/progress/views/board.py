"""The public signing board (签约公示大屏) for a project's on-site screen.

Public (no login): it shows the signing figures and the signing order with the household's
number and the head's name masked (张*三); never an ID number, a phone or an address. The live
part is fetched again every 15 seconds (htmx polling).
"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import path
from django.utils import timezone
from django.views.decorators.http import require_GET

from gaizao.core.editing import found
from gaizao.progress.selectors.dashboard import signing_board


def _context(board) -> dict:
    return {"b": board, "now": timezone.localtime()}


@require_GET
def board_page(request, code: str):
    return render(request, "progress/board/board.html", _context(found(signing_board, code)))


@require_GET
def board_partial(request, code: str):
    return render(request, "progress/board/_live.html", _context(found(signing_board, code)))


urlpatterns = [
    path("board/<str:code>/", board_page, name="board"),
    path("board/<str:code>/live/", board_partial, name="board_partial"),
]
