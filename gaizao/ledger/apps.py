from datetime import timedelta

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LedgerConfig(AppConfig):
    name = "gaizao.ledger"
    label = "ledger"
    verbose_name = _("台账")
    # Where the app's urls.py (and api.py's router) are mounted: gaizao/urls.py and the API read these.
    url_prefix = "ledger/"
    api_prefix = "/ledger"

    def ready(self) -> None:
        from gaizao.core import schedule
        from gaizao.core.audit import register_action_labels
        from gaizao.ledger import registrations
        from gaizao.ledger.importing import register_labels
        from gaizao.ledger.selectors.history import ACTION_LABELS
        from gaizao.ledger.services.id_search import ACTION_LABELS as ID_SEARCH_LABELS

        register_action_labels(ACTION_LABELS)
        register_action_labels(ID_SEARCH_LABELS)
        register_labels()
        registrations.register()
        schedule.register(name="ledger.import_jobs_sweep", every=timedelta(minutes=5),
                          run="gaizao.ledger.importing.jobs.import_jobs_sweep")

    def on_server_start(self, *, stdout) -> None:
        """`gaizao run`: fail the imports left running by a process of this host that is gone."""
        from gaizao.ledger.importing.jobs import import_jobs_recover

        failed = import_jobs_recover()
        if failed:
            stdout.write(f"{failed} 个导入任务因服务进程停止而中断，已标记为失败并删除上传文件。")
