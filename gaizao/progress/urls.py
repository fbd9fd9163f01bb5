from gaizao.progress.views import board, dashboard, events, hardcases

app_name = "progress"

urlpatterns = [*events.urlpatterns, *hardcases.urlpatterns, *dashboard.urlpatterns, *board.urlpatterns]
