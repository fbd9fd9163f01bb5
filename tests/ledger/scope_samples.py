"""Objects of the ledger's resources for the registry-driven scope matrix (tests/test_scope_matrix.py).

Each entry builds, from the cast, objects that some roles reach and others do not.
"""

SAMPLES = {
    "ledger.village": lambda cast: [cast.village_a, cast.village_b],
    "ledger.project": lambda cast: [cast.project_a, cast.project_b],
    "ledger.household": lambda cast: [cast.household_a1, cast.household_a2, cast.household_b1],
    # The cast's one building belongs to household_a1.
    "ledger.building": lambda cast: [cast.household_a1.buildings.get()],
}
