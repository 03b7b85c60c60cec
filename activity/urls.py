from django.urls import re_path

from activity import views

app_name = "activity"

urlpatterns = [
    re_path(r"^(?P<target>objective|kpi)/(?P<pk>[0-9]{1,18})/$", views.timeline, name="timeline"),
]
