"""Settings for bench/bench_household_list.py only: gaizao's settings plus Django admin.

The benchmark compares the household list with what a Django team would reach for first, the
admin changelist, on the same database. Nothing in gaizao imports this module.
"""

from gaizao.settings import *  # noqa: F401,F403
from gaizao.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS]
for _app in ("django.contrib.messages", "django.contrib.admin"):
    if _app not in INSTALLED_APPS:
        INSTALLED_APPS.append(_app)

ROOT_URLCONF = "bench.admin_urls"
