"""Ledger pages: ``pages`` read (lists, details with history), ``edit`` write (forms through services)."""

from gaizao.ledger.views.edit import (  # noqa: F401
    building_create, building_demolish, building_edit, heritage_create, heritage_edit, household_create,
    household_edit, household_resident, person_create, person_edit, project_create, project_edit, village_create,
    village_edit,
)
from gaizao.ledger.views.pages import (  # noqa: F401
    building_detail, cadre_options, heritage_detail, heritage_photo, household_assign_cadre, household_detail, household_list,
    household_reveal, my_household, village_detail, village_list,
)
