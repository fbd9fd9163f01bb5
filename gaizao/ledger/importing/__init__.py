"""Household ledgers to and from Excel (台账模板、导入、导出).

    reader.py     the upload's file limits (the reading is gaizao.core.tabular's)
    headers.py    the ledger's columns and their synonyms (found by the tabular reader)
    normalise.py  the ledger's value rules, built on gaizao.core.tabular.normalise
    validate.py   rows to households with buildings and members; row errors
    plan.py       compare with the database: new / changed / unchanged / rejected
    apply.py      write a plan in one transaction, audited
    engine.py     the services the command and the upload page call
    template.py   the template workbook; export.py the same layout with data
    report.py     the error report workbook

Import from the submodules (``from gaizao.ledger.importing.engine import ...``): this package is
loaded with the URLconf, before any of it is needed.
"""


def register_labels() -> None:
    """Give the import's audit actions their Chinese labels (auditor's page, history on detail pages)."""
    from gaizao.core.audit import register_action_labels
    from gaizao.ledger.importing.engine import ACTION_LABELS

    register_action_labels(ACTION_LABELS)
