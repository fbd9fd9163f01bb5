"""What calculations add to the registries: their audit labels."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "compensation.calculate": _("补偿测算"),
    "compensation.calculate_project": _("项目补偿测算"),
}


def register() -> None:
    from gaizao.core.audit import register_action_labels

    register_action_labels(ACTION_LABELS)
