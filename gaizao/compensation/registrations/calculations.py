"""What calculations add to the registries: their audit labels; and compensation's home to-do card."""

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "compensation.calculate": _("补偿测算"),
    "compensation.calculate_project": _("项目补偿测算"),
}


def register() -> None:
    from gaizao.core.audit import register_action_labels

    register_action_labels(ACTION_LABELS)

    from gaizao.compensation.selectors.home import compensation_todo
    from gaizao.core.registry import TODO, HomeCard, home_cards

    home_cards.register(HomeCard(name="compensation.todo", template="compensation/home/_todo.html",
                                 context=compensation_todo, order=7, section=TODO))
