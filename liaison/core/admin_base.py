"""The base of every Liaison back-office page for a business record.

Saving goes through the app's service (``save_service``), so the admin is as thin
as the API: the same rules, history reasons and timeline entries either way.
Records are never deleted here; they are voided or marked inactive.
"""

from django import forms
from django.contrib import messages
from django.contrib.admin.utils import flatten_fieldsets
from django.core.exceptions import ValidationError
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from unfold.admin import ModelAdmin
from unfold.widgets import UnfoldAdminTextInputWidget

from liaison.core.concurrency import VersionedFormMixin
from liaison.core.errors import MESSAGES, CoreErrorCode, LiaisonError
from liaison.core.history import is_closed
from liaison.core.pages import page_context


class ChangeReasonForm(VersionedFormMixin, forms.ModelForm):
    """A back-office change: refused if someone saved since it was opened; a closed record needs a reason."""

    change_reason = forms.CharField(
        label=_("Reason for change"),
        required=False,
        max_length=100,
        widget=UnfoldAdminTextInputWidget,
        help_text=_("Kept in the record's history."),
    )

    def clean(self):
        cleaned = super().clean()
        # The status as stored: clean() runs before the form's values are put on the instance.
        if self.instance.pk is not None and is_closed(self.instance) and not cleaned.get("change_reason", "").strip():
            self.add_error(
                "change_reason",
                _("This record is “%(status)s”: give the reason for changing it; it is kept in its history.")
                % {"status": self.instance.get_status_display()},
            )
        return cleaned


class LiaisonAdmin(SimpleHistoryAdmin, ModelAdmin):
    form = ChangeReasonForm
    save_service = None  # a service function (*, <model_name>=obj, actor, reason)
    compressed_fields = True
    warn_unsaved_form = True
    list_filter_submit = True

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not self.has_change_permission(request, obj):
            return fieldsets
        wanted = []
        if self.save_service is not None or is_closed(obj):
            wanted.append("change_reason")
        if issubclass(self.form, VersionedFormMixin) and hasattr(obj, "updated_at"):
            wanted.append("version")  # hidden: the version the change is based on
        shown = set(flatten_fieldsets(fieldsets))
        extra = [name for name in wanted if name not in shown]
        return [*fieldsets, (_("History"), {"fields": extra})] if extra else fieldsets

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def delete_view(self, request, object_id, extra_context=None):
        """Records are voided, never erased (R-5.7): refuse with the reason, not a bare 403."""
        context = page_context(
            request, title=_("Cannot delete"), opts=self.model._meta, message=MESSAGES[CoreErrorCode.RECORD_NOT_DELETABLE]
        )
        return TemplateResponse(request, "admin/not_deletable.html", context, status=403)

    def changelist_view(self, request, extra_context=None):
        """The bulk "delete selected" action is refused with the same reason."""
        if request.method == "POST" and request.POST.get("action") == "delete_selected":
            messages.error(request, MESSAGES[CoreErrorCode.RECORD_NOT_DELETABLE])
            return HttpResponseRedirect(request.get_full_path())
        return super().changelist_view(request, extra_context)

    def history_view(self, request, object_id, extra_context=None):
        if not hasattr(self.model, "history"):
            # A derived row (a balance, a log) has no history of its own: Django's action log.
            return ModelAdmin.history_view(self, request, object_id, extra_context)
        return super().history_view(request, object_id, extra_context)

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("change_reason", "") if change else ""
        if self.save_service is None:
            if reason:
                obj._change_reason = reason
            return super().save_model(request, obj, form, change)
        self.save_service(**{self.model._meta.model_name: obj}, actor=request.user, reason=reason)


class ReadOnlyAdmin(LiaisonAdmin):
    """A ledger or log: shown, never typed into from the back office."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


class ServiceForm(forms.ModelForm):
    """A ModelForm whose saving is one service call; ``actor`` is set by the admin.

    The service runs while the form is validated, inside the admin's transaction, so
    a refusal comes back as an error on the form: nothing saved, no number used.
    """

    actor = None

    def call_service(self, data: dict):
        raise NotImplementedError

    def _post_clean(self):
        super()._post_clean()
        if self.errors:
            return
        try:
            self.instance = self.call_service(self.cleaned_data)
        except LiaisonError as error:
            self.add_error(error.field if error.field in self.fields else None, str(error))
        except ValidationError as error:
            self.add_error(None, error)


class ServiceFormAdmin(LiaisonAdmin):
    """Records added once through a ``ServiceForm`` and then only read: no change, no delete.

    Subclasses name ``add_fields`` (the add form) and ``view_fields`` (the read-only page).
    """

    add_fields: list[str] = []
    view_fields: list[str] = []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.actor = request.user
        return form

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        """The form's service call has saved the record already."""

    def get_fields(self, request, obj=None):
        return self.add_fields if obj is None else self.view_fields

    def get_fieldsets(self, request, obj=None):
        return [(None, {"fields": self.get_fields(request, obj)})]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.view_fields


def status_labels(choices, **colours: str) -> dict[str, str]:
    """An unfold ``@display(label=…)`` mapping for every value of ``choices``.

    unfold shows the raw value ("REGISTERED", in English whatever the language) for a value
    missing from the mapping; every status therefore gets an entry, neutral unless coloured.
    ``colours`` are keyed by the choice's name: ``status_labels(ComplaintStatus, VOID="danger")``.
    """
    return {choice.value: colours.get(choice.name, "") for choice in choices}
