from gaizao.progress.views import board, dashboard, events, hardcases, legal, signing, tables

app_name = "progress"

urlpatterns = [*events.urlpatterns, *hardcases.urlpatterns, *dashboard.urlpatterns, *board.urlpatterns,
               *tables.urlpatterns, *legal.urlpatterns, *signing.urlpatterns]
