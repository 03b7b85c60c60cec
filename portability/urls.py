from django.urls import path

from portability import views

app_name = "portability"

urlpatterns = [
    path("kpis.csv", views.kpi_scorecard_csv, name="kpi-scorecard-csv"),
    path("kpis.xlsx", views.kpi_scorecard_xlsx, name="kpi-scorecard-xlsx"),
    path("check-ins.csv", views.check_ins_csv, name="check-ins-csv"),
]
