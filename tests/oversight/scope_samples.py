"""Objects of oversight's resources for the registry-driven scope matrix (tests/test_scope_matrix.py).

Each area keeps its own ``SAMPLES`` and ``BODIES`` in ``tests/oversight/samples_<area>.py``; this module
joins them (the matrix reads ``tests/<app>/scope_samples.py``).
"""

import importlib

SAMPLES: dict = {}
BODIES: dict = {}

for _area in ("orders", "inspections", "assessment", "records", "bulletins"):
    try:
        _module = importlib.import_module(f"tests.oversight.samples_{_area}")
    except ModuleNotFoundError as exc:  # an area without resources of its own yet
        if exc.name != f"tests.oversight.samples_{_area}":
            raise
        continue
    SAMPLES.update(getattr(_module, "SAMPLES", {}))
    BODIES.update(getattr(_module, "BODIES", {}))
