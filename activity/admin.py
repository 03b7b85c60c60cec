from django.contrib import admin
from django.utils.html import format_html_join
from django.utils.translation import gettext_lazy as _

from accounts.admin_base import OrganizationScopedAdmin
from activity import selectors
from activity.models import ActivityEntry
from activity.templatetags.activity import history_value

# django-auditlog registers its own admin for the entry model, across every organization; this one
# shows an organization admin their organization's history only, read-only.
if admin.site.is_registered(ActivityEntry):
    admin.site.unregister(ActivityEntry)


@admin.register(ActivityEntry)
class ActivityEntryAdmin(OrganizationScopedAdmin):
    date_hierarchy = "timestamp"
    list_display = ["timestamp", "content_type", "object_repr", "action", "actor", "source"]
    list_filter = ["action", "source"]
    list_select_related = ["actor", "content_type"]
    search_fields = ["object_repr"]
    fields = ["timestamp", "actor", "source", "action", "content_type", "object_id", "object_repr", "changed"]
    readonly_fields = fields

    @admin.display(description=_("changes"))
    def changed(self, entry):
        (entry,) = selectors.entries_describe(entries=[entry])
        rows = [
            (change.label, history_value(change.old), history_value(change.new)) for change in entry.described
        ]
        return format_html_join("\n", "<p><strong>{}</strong>: {} → {}</p>", rows)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
