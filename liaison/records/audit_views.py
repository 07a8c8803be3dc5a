"""Pages an auditor reads (R-5.7): one record's history, the audit search and its Excel export."""

import datetime as dt
import re
from io import BytesIO

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from liaison.core import clock, history
from liaison.core.export import inert
from liaison.core.forms import DateInput, select, text_input
from liaison.core.models import User
from liaison.core.pages import page_context, require_page
from liaison.core.roles import allowed
from liaison.core.selectors import record_readable
from liaison.records import audit

# A number as text ("-5", "+3.2") is a value, not a formula: it is left as it is.
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def _visible_or_404(request, model, pk: int) -> None:
    """Let ``request.user`` read this record's history, or raise 403 / 404 as for the record itself."""
    user = request.user
    if allowed(user, audit.AUDIT_PERMISSION):
        return
    require_page(user, f"{model._meta.app_label}.view_{model._meta.model_name}")
    record = model._base_manager.filter(pk=pk).first()
    if record is None or not record_readable(user=user, record=record):
        raise Http404  # a deleted record's history is for auditors; another's is not there for this user


@login_required
def record_history(request, app_label: str, model_name: str, pk: int):
    """Who changed what in one record, when, old value → new value, and why."""
    model = audit.audited_model(f"{app_label}.{model_name}")
    if model is None:
        raise Http404
    _visible_or_404(request, model, pk)
    entries = history.record_history(model=model, pk=pk)
    if not entries:
        raise Http404
    record = model._base_manager.filter(pk=pk).first()
    label = entries[0].record_label
    context = page_context(
        request,
        title=_("History of %(type)s %(record)s") % {"type": model._meta.verbose_name, "record": label},
        opts=model._meta,
        entries=entries,
        record=record,
        record_url=record.get_absolute_url() if record is not None and hasattr(record, "get_absolute_url") else "",
        record_type=model._meta.verbose_name,
        record_label=label,
        may_audit=allowed(request.user, audit.AUDIT_PERMISSION),
    )
    return render(request, "records/audit_history.html", context)


# --- the audit search ----------------------------------------------------------------------------


class AuditSearchForm(forms.Form):
    """What the auditor looks for; a search across every record type covers at most a year."""

    record_type = forms.ChoiceField(label=gettext_lazy("Record type"), required=False, widget=select())
    user = forms.ModelChoiceField(
        label=gettext_lazy("Changed by"),
        queryset=User.objects.order_by("username"),
        required=False,
        empty_label=gettext_lazy("Anyone"),
        widget=select(),
    )
    date_from = forms.DateField(label=gettext_lazy("From"), required=False, widget=DateInput)
    date_to = forms.DateField(label=gettext_lazy("To"), required=False, widget=DateInput)
    kind = forms.ChoiceField(
        label=gettext_lazy("Change"),
        required=False,
        choices=[("", gettext_lazy("Any change")), *history.CHANGE_KINDS.items()],
        widget=select(),
    )
    reason = forms.CharField(
        label=gettext_lazy("Reason contains"), required=False, max_length=100, widget=text_input()
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        types = sorted(
            ((history.model_key(model), str(model._meta.verbose_name)) for model in audit.audited_models()),
            key=lambda item: item[1],
        )
        self.fields["record_type"].choices = [("", _("Every record type")), *types]

    def clean(self):
        cleaned = super().clean()
        date_from, date_to = cleaned.get("date_from"), cleaned.get("date_to")
        if date_from and date_to and date_from > date_to:
            self.add_error("date_to", _("The end of the period is before its start."))
        if not cleaned.get("record_type") and not self.errors:
            end = date_to or clock.today()
            if date_from is None or (end - date_from).days > audit.AUDIT_WIDE_RANGE_DAYS:
                self.add_error(
                    "record_type",
                    _("Choose a record type to search more than a year; across every type, give a period of "
                      "at most a year."),
                )
        return cleaned

    def search(self) -> audit.AuditFilter:
        data = self.cleaned_data
        model = audit.audited_model(data["record_type"]) if data.get("record_type") else None
        return audit.AuditFilter(
            models=(model,) if model is not None else (),
            user=data.get("user"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            kind=data.get("kind") or "",
            reason=data.get("reason") or "",
        )


def _search_form(request) -> AuditSearchForm:
    require_page(request.user, audit.AUDIT_PERMISSION)
    data = request.GET.copy()
    if not data:
        # A first visit shows the last 30 days of every record type.
        data["date_from"] = (clock.today() - dt.timedelta(days=30)).isoformat()
    return AuditSearchForm(data)


@login_required
def audit_search(request):
    """Every save of every record, filtered and paged, newest first (administrators, heads, management)."""
    form = _search_form(request)
    page = audit.audit_search(form.search(), page=request.GET.get("page") or 1) if form.is_valid() else None
    query = request.GET.copy()
    query.pop("page", None)
    if not request.GET:
        query = form.data.copy()
    context = page_context(
        request,
        title=_("Audit trail"),
        form=form,
        page=page,
        query=query.urlencode(),
        export_url=f"{reverse('records:audit-export')}?{query.urlencode()}",
    )
    return render(request, "records/audit_search.html", context)


def excel_text(value) -> object:
    """A cell value a spreadsheet will never run: text that looks like a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return text if _PLAIN_NUMBER.match(text) else inert(text)


@login_required
def audit_export(request):
    """The audit search's result as an Excel sheet: one row per changed field."""
    form = _search_form(request)
    if not form.is_valid():
        return audit_search(request)
    entries, truncated = audit.audit_export_entries(form.search())
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Audit trail")[:31]
    headers = [
        _("When"), _("Changed by"), _("Record type"), _("Record"), _("Record id"), _("Change"),
        _("Reason"), _("Field"), _("Old value"), _("New value"),
    ]
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for entry in entries:
        when = timezone.localtime(entry.when).replace(tzinfo=None)
        common = [
            when, str(entry.user) if entry.user else "", entry.record_type, entry.record_label,
            entry.record_id, entry.kind_label, entry.reason,
        ]
        for change in entry.changes or [None]:
            tail = [change.label, change.old, change.new] if change else ["", "", ""]
            row = [common[0], *(excel_text(value) for value in common[1:] + tail)]
            sheet.append(row)
            sheet.cell(row=sheet.max_row, column=1).number_format = "yyyy-mm-dd hh:mm:ss"
    if truncated:
        sheet.append([excel_text(_("Only the newest %(limit)s changes are listed; narrow the search for the rest.")
                                 % {"limit": audit.AUDIT_EXPORT_LIMIT})])
    for column, width in zip("ABCDEFGHIJ", (20, 24, 22, 20, 10, 10, 32, 20, 30, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = "A2"
    buffer = BytesIO()
    workbook.save(buffer)
    stamp = clock.now().strftime("%Y%m%d-%H%M")
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = f'attachment; filename="audit-trail-{stamp}.xlsx"'
    return response
