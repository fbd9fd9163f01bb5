"""Reads for the home page. Counts go through the scope functions."""

from __future__ import annotations

from gaizao.ledger.selectors import household_scope, village_scope


def home_summary(user) -> dict:
    return {
        "villages": village_scope(user).count(),
        "households": household_scope(user).count(),
    }
