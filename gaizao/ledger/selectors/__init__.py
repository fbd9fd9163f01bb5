"""Reads of the ledgers. Every queryset a user sees starts from a ``*_scope`` function of
``gaizao.ledger.policies`` (who may read and change each resource, from the access table),
re-exported here for the readers above:

- ``lists``: lists, details and summaries for the pages and the API;
- ``history``: the change history on detail pages, from the audit trail.
"""

from gaizao.ledger.selectors.history import (  # noqa: F401
    ACTION_LABELS, HISTORY_LIMIT, HistoryChange, HistoryRow, building_history, heritage_history,
    household_history, village_history,
)
from gaizao.ledger.selectors.lists import (  # noqa: F401
    AREA_PLACES, PAGE_SIZE, HouseholdFilterOptions, HouseholdPage, assignable_cadres, building_by_ref, building_get,
    building_in_village, cadre_options, community_get, community_options, heritage_get, heritage_list,
    heritage_of_building, household_export_ids, household_filter_options, household_get, household_list, household_stage_summary,
    person_get, project_get, project_list, resident_options, street_list, village_get, village_list,
)
from gaizao.ledger.policies import (  # noqa: F401
    building_scope, building_write_scope, heritage_scope, heritage_write_scope, household_can_reveal,
    household_can_write, household_scope, household_write_scope, person_scope, person_write_scope,
    project_scope, project_write_scope, street_write_list, village_can_read, village_can_write, village_scope,
    village_write_scope,
)
