"""Objects of progress's resources for the registry-driven scope matrix (tests/test_scope_matrix.py)."""

from gaizao.progress.services.hardcases import hardcase_open


def _hard_cases(cast):
    # One case per household: a1 is the cadre's, a2 the resident's, b1 the other street's.
    return [hardcase_open(actor=cast.admin, household=h, reason="price", strategy="一户一策")
            for h in (cast.household_a1, cast.household_a2, cast.household_b1)]


SAMPLES = {
    "progress.event": lambda cast: [cast.household_a1, cast.household_a2, cast.household_b1],
    "progress.hardcase": _hard_cases,
    "progress.visit": _hard_cases,
    "progress.consultation": lambda cast: [cast.project_a, cast.project_b],
    "progress.dashboard": lambda cast: [cast.street_a, cast.street_b],
    "progress.table_export": lambda cast: [cast.street_a, cast.street_b],
}
