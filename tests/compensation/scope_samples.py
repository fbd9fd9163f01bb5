"""Objects of compensation's resources for the registry-driven scope matrix (tests/test_scope_matrix.py).

Each area keeps its own ``SAMPLES`` and ``BODIES`` in ``tests/compensation/samples_<area>.py``; this module
joins them (the matrix reads ``tests/<app>/scope_samples.py``).
"""

import importlib

SAMPLES: dict = {}
BODIES: dict = {}

for _area in ("schemes", "valuations", "publicity", "changes", "agreements"):
    try:
        _module = importlib.import_module(f"tests.compensation.samples_{_area}")
    except ModuleNotFoundError as exc:  # an area without resources of its own yet
        if exc.name != f"tests.compensation.samples_{_area}":
            raise
        continue
    SAMPLES.update(getattr(_module, "SAMPLES", {}))
    BODIES.update(getattr(_module, "BODIES", {}))
