from django.urls import include, path

from gaizao.ledger import views

app_name = "ledger"

urlpatterns = [
    path("villages/", views.village_list, name="village_list"),
    path("villages/<int:pk>/", views.village_detail, name="village_detail"),
    path("households/", views.household_list, name="household_list"),
    path("households/<int:pk>/", views.household_detail, name="household_detail"),
    path("households/<int:pk>/reveal/", views.household_reveal, name="household_reveal"),
    path("my-household/", views.my_household, name="my_household"),
    path("import/", include("gaizao.ledger.importing.urls")),
]
