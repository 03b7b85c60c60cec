from django.urls import path

from onboarding import views

app_name = "onboarding"

urlpatterns = [
    path("start/", views.start, name="start"),
    path("start/organization/", views.basics, name="basics"),
    path("start/cycle/", views.cycle, name="cycle"),
    path("start/priorities/", views.priorities, name="priorities"),
    path("start/finish/", views.finish, name="finish"),
    path("start/skip/", views.skip, name="skip"),
    path("okrs/templates/", views.okr_templates_page, name="okr-templates"),
    path("kpis/catalog/", views.kpi_catalog, name="kpi-catalog"),
]
