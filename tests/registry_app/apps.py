from django.apps import AppConfig

# What the hook received, one entry per firing: the test reads it.
RECEIVED: list = []


def on_households_changed(*, change) -> None:
    RECEIVED.append(change)


def household_panel(context, household):
    return {"number": household.number}


class RegistryAppConfig(AppConfig):
    name = "tests.registry_app"
    label = "registry_app"

    def ready(self) -> None:
        from gaizao.core.registry import MenuItem, Panel, menu, panels
        from gaizao.ledger.hooks import households_changed

        menu.register(MenuItem(name="registry_app.menu", label="登记测试菜单", url_name="portal:notifications",
                               roles=("street",), order=999))
        panels.register(Panel(name="registry_app.panel", page="household", order=999,
                              template="registry_app/panel.html", context=household_panel))
        households_changed.connect(on_households_changed, name="registry_app.hook", order=999)
