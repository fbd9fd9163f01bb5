"""``{% ledger_excel_actions %}``: the 下载模板 / 导入台账 / 导出台账 buttons on the ledger pages.

Shown to the roles that write ledgers (``policies.ledger_writer``), decided from the roles the
request has already loaded, so a list page does not pay a query for it; the import page itself
offers only the projects of ``selectors.project_write_scope``.
"""

from django import template

from gaizao.ledger.policies import ledger_writer

register = template.Library()


@register.inclusion_tag("ledger/import_actions.html", takes_context=True)
def ledger_excel_actions(context, project=None, compact=False):
    user = context.get("user")
    show = user is not None and ledger_writer(user)
    return {"show": show, "project": project or None, "compact": compact}
