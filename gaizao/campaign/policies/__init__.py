"""Who may read and change the campaign's resources, derived from the access table (``core.access``).

One module per area; each registers its rows (and the endpoints the scope matrix checks) on import,
which ``core.access.autodiscover`` does through this package.
"""

from gaizao.campaign.policies import campaign, meetings, reports, tasks  # noqa: F401  (registers)
from gaizao.campaign.policies.campaign import (agreement_scope, campaign_can_write, campaign_scope,  # noqa: F401
                                               target_scope)
