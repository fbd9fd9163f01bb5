from django.urls import path

from gaizao.ledger.importing import views

# Included from gaizao/ledger/urls.py under /ledger/import/ (namespace "ledger").

urlpatterns = [
    path("", views.import_start, name="import_start"),
    path("jobs/<uuid:pk>/", views.import_job, name="import_job"),
    path("jobs/<uuid:pk>/confirm/", views.import_confirm, name="import_confirm"),
    path("jobs/<uuid:pk>/errors.xlsx", views.import_errors, name="import_errors"),
    path("template.xlsx", views.template_download, name="template_download"),
    path("export/", views.export_download, name="export_download"),
    path("export/households.xlsx", views.household_export, name="household_export"),
]
