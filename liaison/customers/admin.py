"""Back office of the customers app: F9 sheets with their contacts, Excel import and export."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from unfold.admin import StackedInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import display

from liaison.core.admin_base import LiaisonAdmin
from liaison.core.pages import page_context
from liaison.customers import selectors, services, tasks
from liaison.customers.models import Contact, Customer, CustomerImport
from liaison.customers.resources import CustomerResource
from liaison.customers.states import IMPORT_FINISHED, ImportStatus


class ContactInline(StackedInline):
    model = Contact
    extra = 0
    fields = [("name", "position"), ("phone", "mobile", "fax"), ("email", "is_primary", "active"), "notes"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(LiaisonAdmin, ImportExportModelAdmin):
    save_service = staticmethod(services.customer_save)
    list_display = ["registered_name", "short_name", "phone", "status", "updated_at", "customer_page"]
    list_filter = [("status", ChoicesDropdownFilter)]
    # Searching runs through selectors.customer_search; the field only switches the box on.
    search_fields = ["registered_name"]
    search_help_text = _("Name in either Chinese script, in pinyin or its initials, or a phone number.")
    inlines = [ContactInline]
    fieldsets = [
        (None, {"fields": ["registered_name", "short_name", "status"]}),
        (_("Customer master data sheet (F9)"), {"fields": ["address", ("phone", "fax", "email"), "business_scope", "company_profile"]}),
    ]

    resource_classes = [CustomerResource]
    import_formats = [XLSX, CSV]
    export_formats = [XLSX, CSV]
    import_form_class = ImportForm
    export_form_class = ExportForm

    @display(description=_("Customer page"))
    def customer_page(self, obj: Customer):
        return format_html(
            '<a href="{}" class="text-primary-600 dark:text-primary-500" title="{}">'
            '<span class="material-symbols-outlined align-middle">open_in_new</span></a>',
            obj.get_absolute_url(),
            _("Open the customer page with its timeline"),
        )

    def get_search_results(self, request, queryset, search_term):
        return selectors.customer_search(queryset=queryset, query=search_term), False

    def save_formset(self, request, form, formset, change):
        reason = form.cleaned_data.get("change_reason", "") if change else ""
        for contact in formset.save(commit=False):
            services.contact_save(contact=contact, actor=request.user, reason=reason)
        formset.save_m2m()

    # Import: the upload is kept and imported by a background task (all rows or none, through
    # services.customers_import); the status page shows its progress, then the outcome.

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path("import/<int:job_id>/", self.admin_site.admin_view(self.import_status_view),
                 name="%s_%s_import_status" % info),
            *super().get_urls(),
        ]

    def import_action(self, request, **kwargs):
        if request.method == "POST" and self.has_import_permission(request):
            form = self.create_import_form(request)
            if form.is_valid():
                input_format = self.get_import_formats()[int(form.cleaned_data["format"])]
                upload = form.cleaned_data["import_file"]
                job = tasks.customer_import_start(
                    data=b"".join(upload.chunks()),
                    file_name=upload.name,
                    file_format=input_format().get_extension(),
                    actor=request.user,
                    language=get_language() or "",
                )
                return HttpResponseRedirect(reverse("admin:customers_customer_import_status", args=[job.pk]))
        return super().import_action(request, **kwargs)

    def process_import(self, request, **kwargs):
        # There is no preview to confirm any more: the upload itself starts the import.
        if not self.has_import_permission(request):
            raise PermissionDenied
        return HttpResponseRedirect(reverse("admin:customers_customer_import"))

    def import_status_view(self, request, job_id: int):
        """An import's progress (as JSON for the page's polling with ?format=json), then its outcome."""
        if not self.has_import_permission(request):
            raise PermissionDenied
        job = get_object_or_404(CustomerImport, pk=job_id, created_by=request.user)
        done, total = services.customer_import_progress(job) if job.status == ImportStatus.RUNNING else (
            job.rows_done, job.rows_total
        )
        finished = job.status in IMPORT_FINISHED
        percent = 100 if job.status == ImportStatus.DONE else (done * 100 // total if total else 0)
        if request.GET.get("format") == "json":
            return JsonResponse({"status": job.status, "done": done, "total": total, "percent": percent,
                                 "finished": finished})
        context = page_context(
            request,
            title=_("Import customers: %(file)s") % {"file": job.original_name},
            opts=self.opts,
            job=job,
            done=done,
            total=total,
            percent=percent,
            finished=finished,
            import_url=reverse("admin:customers_customer_import"),
            changelist_url=reverse("admin:customers_customer_changelist"),
        )
        return TemplateResponse(request, "admin/customers/customer/import_status.html", context)


@admin.register(Contact)
class ContactAdmin(LiaisonAdmin):
    save_service = staticmethod(services.contact_save)
    list_display = ["name", "customer", "position", "phone", "email", "is_primary", "active"]
    list_filter = ["active", "is_primary"]
    search_fields = ["name", "phone", "email", "customer__registered_name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
