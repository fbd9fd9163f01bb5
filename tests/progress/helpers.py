"""Helpers for the progress tests."""

from io import StringIO

from django.core.management import CommandError, call_command


def run_progress_command(*args) -> tuple[int, str, str]:
    """``gaizao progress …`` in-process: (exit code, stdout, stderr)."""
    out, err = StringIO(), StringIO()
    try:
        call_command("progress", *[str(a) for a in args], stdout=out, stderr=err)
        code = 0
    except CommandError as exc:
        code = exc.returncode
        err.write(str(exc))
    return code, out.getvalue(), err.getvalue()


def decidable(actor, households, *, number: str = "1") -> None:
    """认定 needs a building and a decision on each: give every household without a building a legal
    one of no area (so the figures the test counts stay as they were)."""
    from gaizao.ledger import services as ledger_services
    from gaizao.ledger.models import Building

    have = set(Building.objects.filter(household_id__in=[h.pk for h in households])
               .values_list("household_id", flat=True))
    for household in households:
        if household.pk not in have:
            ledger_services.building_add(actor=actor, household=household, number=number, legality="legal")
