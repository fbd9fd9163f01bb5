"""Records objects for the scope matrix: the two streets and the department (their record pages, and
their first member's person record)."""


def _units(cast):
    return [cast.street_a, cast.street_b, cast.department]


SAMPLES = {"oversight.record": _units}
BODIES: dict = {}
