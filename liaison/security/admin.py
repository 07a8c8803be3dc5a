from django.contrib import admin
from unfold.admin import ModelAdmin

from liaison.security.models import SecurityEvent


@admin.register(SecurityEvent)
class SecurityEventAdmin(ModelAdmin):
    """The security log: read by administrators, never changed or deleted."""

    list_display = ["at", "kind", "username", "ip_address", "method", "path", "status_code"]
    list_filter = ["kind", "at"]
    search_fields = ["username", "ip_address", "path"]
    date_hierarchy = "at"
    list_select_related = ["user"]
    readonly_fields = ["at", "kind", "user", "username", "ip_address", "method", "path", "status_code"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
