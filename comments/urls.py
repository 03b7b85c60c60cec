from django.urls import path, re_path

from comments import views

app_name = "comments"

urlpatterns = [
    re_path(r"^(?P<target>objective|kpi)/(?P<pk>[0-9]{1,18})/$", views.thread, name="thread"),
    path("<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    path("<int:pk>/hide/", views.comment_hide, name="comment-hide"),
    path("members/", views.mention_suggestions, name="mention-suggestions"),
]
