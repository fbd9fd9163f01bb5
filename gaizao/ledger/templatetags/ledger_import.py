"""``{% ledger_excel_actions %}``: the 下载模板 / 导入台账 / 导出台账 buttons on the ledger pages.

Shown to the roles that write ledgers (``views.pages.WRITE_ROLES``), decided from the roles the
request has already loaded, so a list page does not pay a query for it; the import page itself
offers only the projects of ``selectors.project_write_scope``.
"""

from django import template

from gaizao.ledger.views.pages import WRITE_ROLES

register = template.Library()


@register.inclusion_tag("ledger/import_actions.html", takes_context=True)
def ledger_excel_actions(context, project=None, compact=False):
    user = context.get("user")
    show = bool(user is not None and user.is_authenticated and user.has_role(*WRITE_ROLES))
    return {"show": show, "project": project or None, "compact": compact}
