"""Back office of management reviews: read-only lists; the steps are taken on the meeting page and the API."""

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from unfold.admin import TabularInline
from unfold.decorators import display

from liaison.core import clock
from liaison.core.admin_base import ReadOnlyAdmin
from liaison.reviews import rules as perms
from liaison.reviews.models import ReviewAction, ReviewMeeting
from liaison.reviews.states import ActionStatus, MeetingStatus

_STATUS_LABELS = {
    MeetingStatus.PLANNED: "info",
    MeetingStatus.HELD: "success",
    MeetingStatus.CANCELLED: "danger",
}


class ReviewActionInline(TabularInline):
    model = ReviewAction
    fields = ["description", "owner", "due_date", "status", "outcome", "done_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.has_perm(perms.VIEW_ACTION)

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("owner")


@admin.register(ReviewMeeting)
class ReviewMeetingAdmin(ReadOnlyAdmin):
    list_display = ["number", "meeting_date", "title", "chair", "status_label", "page_link"]
    list_filter = ["status"]
    search_fields = ["number", "title", "agenda", "minutes"]
    date_hierarchy = "meeting_date"
    inlines = [ReviewActionInline]
    fields = [
        "number", "title", "meeting_date", "chair", "participants", "status", "agenda", "minutes", "held_at",
        "cancel_reason", "created_at", "created_by",
    ]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("chair")

    @display(description=_("status"), label=_STATUS_LABELS)
    def status_label(self, meeting: ReviewMeeting):
        return meeting.status, meeting.get_status_display()

    @display(description=_("page"))
    def page_link(self, meeting: ReviewMeeting):
        return format_html('<a class="text-primary-600" href="{}">{}</a>', meeting.get_absolute_url(), _("Open"))


@admin.register(ReviewAction)
class ReviewActionAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "description_short", "owner", "due_date", "overdue_text", "status"]
    list_filter = ["status", "owner"]
    search_fields = ["description", "outcome", "meeting__number"]
    fields = ["meeting", "description", "owner", "due_date", "status", "outcome", "done_at", "cancel_reason"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("meeting", "owner")

    @display(description=_("action"))
    def description_short(self, action: ReviewAction) -> str:
        return action.description[:80]

    @display(description=_("days late"))
    def overdue_text(self, action: ReviewAction):
        today = clock.today()
        if action.status == ActionStatus.OPEN and action.due_date < today:
            return format_html('<span class="font-semibold text-red-700">{}</span>', (today - action.due_date).days)
        return "—"
