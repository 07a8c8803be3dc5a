"""Back office of the core app: users, roles, departments, attachments."""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin as BaseGroupAdmin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.forms import AdminPasswordChangeForm, UserChangeForm, UserCreationForm

from liaison.core.admin_base import LiaisonAdmin, ReadOnlyAdmin
from liaison.core.models import Attachment, Department, User
from liaison.core.roles import Role

admin.site.unregister(Group)
admin.site.site_title = _("Liaison")
admin.site.site_header = _("Liaison")
admin.site.index_title = _("Dashboard")


@admin.register(User)
class UserAdmin(SimpleHistoryAdmin, BaseUserAdmin, ModelAdmin):
    form = UserChangeForm
    add_form = UserCreationForm
    change_password_form = AdminPasswordChangeForm
    list_display = ["username", "first_name", "last_name", "department", "role_list", "is_active"]
    list_filter = ["department", "groups", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        (_("Liaison"), {"fields": ["department", "language"]}),
    ]
    # What a non-superuser (the Administrator role) may set: roles, not raw permissions.
    role_fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("Personal info"), {"fields": ["first_name", "last_name", "email"]}),
        (_("Permissions"), {"fields": ["is_active", "groups", "is_staff", "is_superuser"]}),
        (_("Liaison"), {"fields": ["department", "language"]}),
        (_("Important dates"), {"fields": ["last_login", "date_joined"]}),
    ]

    def get_fieldsets(self, request, obj=None):
        if obj is None or request.user.is_superuser:
            return super().get_fieldsets(request, obj)
        return self.role_fieldsets

    def get_readonly_fields(self, request, obj=None):
        if request.user.is_superuser:
            return super().get_readonly_fields(request, obj)
        # Superuser status and per-user permissions would bypass the role table.
        return ["is_staff", "is_superuser", "last_login", "date_joined"]

    def has_change_permission(self, request, obj=None) -> bool:
        # Only a superuser may touch a superuser's account (its password above all).
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        if not change:
            obj.is_staff = True  # everyone works in the back office; roles say what they reach
        super().save_model(request, obj, form, change)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # users sign records; deactivate them instead

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("department").prefetch_related("groups")

    @admin.display(description=_("roles"))
    def role_list(self, obj) -> str:
        labels = dict(Role.choices)
        return ", ".join(str(labels.get(g.name, g.name)) for g in obj.groups.all())


@admin.register(Group)
class GroupAdmin(BaseGroupAdmin, ModelAdmin):
    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Department)
class DepartmentAdmin(LiaisonAdmin):
    list_display = ["code", "name", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["code", "name"]


@admin.register(Attachment)
class AttachmentAdmin(ReadOnlyAdmin):
    list_display = ["download", "mime_type", "size", "owner_type", "owner_id", "uploaded_at", "created_by"]
    list_filter = ["mime_type", "owner_type"]
    search_fields = ["original_name", "sha256"]
    # Not "file": its widget links to the public media URL; "download" checks who asks.
    fields = ["download", "mime_type", "size", "sha256", "description", "owner_type", "owner_id", "uploaded_at"]
    readonly_fields = fields

    @admin.display(description=_("file name"), ordering="original_name")
    def download(self, attachment) -> str:
        url = reverse("attachment-download", args=[attachment.pk])
        return format_html('<a href="{}">{}</a>', url, attachment.original_name)
