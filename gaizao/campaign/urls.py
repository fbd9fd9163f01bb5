from gaizao.campaign.views import campaign, meetings, reports, tasks

app_name = "campaign"

urlpatterns = [*campaign.urlpatterns, *tasks.urlpatterns, *reports.urlpatterns, *meetings.urlpatterns]
