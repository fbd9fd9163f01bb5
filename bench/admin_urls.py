"""URLs for bench/bench_household_list.py only: gaizao's URLs plus the admin at /admin/.

The ModelAdmin is the one a Django team would write first for the household ledger: our list's
columns, a street filter, ``icontains`` search on the head's name, 50 rows a page and the default
paginator (a COUNT of the filtered rows, and one of the whole table, on every page).
"""

from django.contrib import admin
from django.urls import include, path

from gaizao.ledger.models import Household


@admin.register(Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ("number", "head_name", "village", "stage", "member_count")
    list_filter = ("street",)
    search_fields = ("head_name",)  # no lookup prefix: icontains, as admin does by default
    list_per_page = 50


urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("gaizao.urls")),
]
