from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("alignment/", views.alignment, name="alignment"),
    path("teams/", views.team_list, name="team-list"),
    path("teams/<int:pk>/", views.team_detail, name="team-detail"),
    path("objectives/<int:pk>/", views.objective_detail, name="objective-detail"),
    path("kpis/", views.kpi_scorecard, name="kpi-scorecard"),
    path("kpis/<int:pk>/", views.kpi_detail, name="kpi-detail"),
    path("me/", views.my_okrs, name="my-okrs"),
    path("help/statuses/", views.help_page, name="help"),
]
