"""Back office of the records app: retention policies, legal holds, disposal runs and the disposal log.

Policies are changed by an administrator through ``services.policy_update`` with a reason
(kept in the history); holds are placed through ``services.hold_place``; runs and the log
are read-only and never deleted.
"""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.decorators import display

from liaison.core.admin_base import LiaisonAdmin, ReadOnlyAdmin, ServiceFormAdmin
from liaison.records import services
from liaison.records.forms import LegalHoldForm, RetentionPolicyForm
from liaison.records.models import DisposalLogEntry, DisposalRun, LegalHold, RetentionPolicy
from liaison.records.states import record_type_label


class RecordTypeMixin:
    @display(description=_("record type"), ordering="record_type")
    def record_type_label(self, obj) -> str:
        return record_type_label(obj.record_type)


@admin.register(RetentionPolicy)
class RetentionPolicyAdmin(RecordTypeMixin, LiaisonAdmin):
    form = RetentionPolicyForm
    list_display = [
        "record_type_label", "department", "years", "months", "below_minimum", "active", "updated_at", "updated_by"
    ]
    fields = ["record_type_label", "department", "years", "months", "below_minimum", "active"]
    readonly_fields = ["record_type_label"]

    @staticmethod
    def save_service(*, retentionpolicy: RetentionPolicy, actor, reason: str) -> RetentionPolicy:
        return services.policy_update(
            policy=retentionpolicy,
            years=retentionpolicy.years,
            months=retentionpolicy.months,
            department=retentionpolicy.department,
            active=retentionpolicy.active,
            actor=actor,
            reason=reason,
            below_minimum=retentionpolicy.below_minimum,
        )

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user  # the period rule asks whether an administrator overrides it
        return form

    def has_add_permission(self, request) -> bool:
        return False  # one per record type, seeded by the migration


@admin.register(LegalHold)
class LegalHoldAdmin(RecordTypeMixin, ServiceFormAdmin):
    form = LegalHoldForm
    add_fields = ["record_type", "object_id", "reason"]
    view_fields = [
        "record_type_label",
        "object_id",
        "number",
        "reason",
        "placed_at",
        "placed_by",
        "released_at",
        "released_by",
        "release_reason",
    ]
    list_display = ["record_type_label", "number", "reason", "placed_at", "placed_by", "active_label"]
    list_filter = ["record_type", ("released_at", admin.EmptyFieldListFilter)]
    search_fields = ["number", "reason"]

    @display(description=_("active"), label=True)
    def active_label(self, hold: LegalHold) -> str:
        return _("On hold") if hold.is_active else _("Released")


class DisposalLogInline(admin.TabularInline):
    model = DisposalLogEntry
    fields = ["record_type", "number", "retention_ended", "archive_path", "sha256"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    max_num = 0

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(DisposalRun)
class DisposalRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "finished_at", "dry_run", "started_by", "found", "disposed", "held", "waiting"]
    fields = [
        "started_at",
        "finished_at",
        "dry_run",
        "started_by",
        "archive_dir",
        "found",
        "disposed",
        "held",
        "waiting",
        "error",
    ]
    readonly_fields = fields


@admin.register(DisposalLogEntry)
class DisposalLogEntryAdmin(RecordTypeMixin, ReadOnlyAdmin):
    list_display = [
        "disposed_at",
        "record_type_label",
        "number",
        "retention_started",
        "retention_ended",
        "policy_period",
        "archive_link",
        "sha256_short",
    ]
    list_filter = ["record_type"]
    search_fields = ["number", "sha256"]
    fields = [
        "run",
        "record_type_label",
        "object_id",
        "number",
        "retention_started",
        "retention_ended",
        "policy",
        "policy_period",
        "archive_path",
        "sha256",
        "files",
        "disposed_at",
    ]
    readonly_fields = fields

    @display(description=_("archive folder"))
    def archive_link(self, entry: DisposalLogEntry):
        return format_html("<code>{}</code>", entry.archive_path)

    @display(description=_("SHA-256"))
    def sha256_short(self, entry: DisposalLogEntry):
        return format_html('<code title="{}">{}…</code>', entry.sha256, entry.sha256[:12])
