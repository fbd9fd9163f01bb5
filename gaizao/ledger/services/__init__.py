"""Writes of the ledgers. Every write validates, checks the actor's write scope, runs in one
transaction, is audited, and changes an existing record only with optimistic locking.

- ``villages``: villages (城中村) and projects (改造项目), with the boundary check in ``boundary``;
- ``households``: households (住户), members (家庭成员), the audited reveal of full numbers;
- ``buildings``: buildings (房屋) and marking one demolished under the heritage guard;
- ``heritage``: heritage elements (历史文化要素);
- ``assignments``: a household's resident account (居民账号) and cadres (包户干部) for many households at once;
- ``name_initials`` (pinyin initials, surname readings) comes from ``ledger.surnames``; field checks,
  scope and optimistic locking are core's (``core.checking``, ``core.services``).
"""

from gaizao.ledger.services.assignments import (  # noqa: F401
    household_link_resident,
    households_assign_cadre,
)
from gaizao.ledger.services.boundary import clean_boundary  # noqa: F401
from gaizao.ledger.services.buildings import (  # noqa: F401
    building_add,
    building_mark_demolished,
    building_update,
)
from gaizao.ledger.services.heritage import heritage_create, heritage_update  # noqa: F401
from gaizao.ledger.services.households import (  # noqa: F401
    household_create,
    household_reveal_personal_data,
    household_update,
    person_add,
    person_update,
)
from gaizao.ledger.services.villages import (  # noqa: F401
    project_create,
    project_update,
    village_create,
    village_update,
)
from gaizao.ledger.surnames import name_initials  # noqa: F401  (services.name_initials, as before)
