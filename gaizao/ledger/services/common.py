"""What the ledger's writes share beyond core's (core.services, core.checking): search initials.

``name_initials`` reads a surname with its surname reading (曾 z, 单 s, 区 o); its table and rule
are ``ledger.surnames``, shared with the search (selectors) and the import's cached copy.
"""

from __future__ import annotations

from gaizao.ledger.surnames import name_initials  # noqa: F401 — services.name_initials, as before
