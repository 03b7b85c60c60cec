from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/read/", views.mark_read, name="mark-read"),
    path("read-all/", views.mark_all_read, name="mark-all-read"),
    path("preferences/", views.preferences, name="preferences"),
    path("settings/", views.organization_settings, name="notification-settings"),
    path("settings/channels/", views.channel_create, name="channel-create"),
    path("settings/channels/<int:pk>/delete/", views.channel_delete, name="channel-delete"),
    path("objectives/<int:pk>/follow/", views.objective_follow, name="objective-follow"),
]
