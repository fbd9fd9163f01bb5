"""The scope matrix's cases for compensation's resources (tests/test_scope_matrix.py), in a file of their own so that
the parallel run, a file per worker, spreads the matrix over its workers."""

import pytest

from tests.test_scope_matrix import _media, cases_of, check_registered  # noqa: F401  (_media: the fixture)


@pytest.mark.parametrize("resource_name, role", cases_of("compensation"))
def test_registered_endpoints_answer_as_the_access_table_says(cast, client, resource_name, role):
    check_registered(cast, client, resource_name, role)
