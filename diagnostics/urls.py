from django.urls import path

from diagnostics import views

app_name = "diagnostics"

urlpatterns = [
    path("", views.diagnostic_list, name="list"),
    path("new/", views.diagnostic_take, name="take"),
    path("<int:pk>/", views.diagnostic_detail, name="detail"),
    path("<int:pk>/add/", views.recommendation_add, name="recommendation-add"),
]

# Mounted at /diagnostic/ by config/urls.py, outside the app's namespace: open without signing in.
public_urlpatterns = [
    path("", views.public_take, name="diagnostic-public"),
    path("result/", views.public_result, name="diagnostic-public-result"),
    path("summary/", views.public_summary, name="diagnostic-public-summary"),
]
