"""Back office of the customers app: F9 sheets with their contacts, Excel import and export."""

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportModelAdmin
from import_export.formats.base_formats import CSV, XLSX
from unfold.admin import StackedInline
from unfold.contrib.filters.admin import ChoicesDropdownFilter
from unfold.contrib.import_export.forms import ExportForm, ImportForm
from unfold.decorators import display

from liaison.core.admin_base import LiaisonAdmin
from liaison.core.errors import LiaisonError
from liaison.customers import selectors, services
from liaison.customers.errors import CustomersImportError
from liaison.customers.models import Contact, Customer
from liaison.customers.resources import CustomerResource


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

    # Import: the preview is import-export's dry run (rolled back); the confirmed import
    # goes through services.customers_import_dataset, all rows or none.

    def process_dataset(self, dataset, form, request, **kwargs):
        return services.customers_import_dataset(dataset=dataset, actor=request.user).result

    def process_import(self, request, **kwargs):
        try:
            return super().process_import(request, **kwargs)
        except CustomersImportError as error:
            messages.error(request, str(error))
            for problem in error.problems:
                messages.error(request, str(problem))
        except LiaisonError as error:
            messages.error(request, str(error))
        return HttpResponseRedirect(reverse("admin:customers_customer_import"))


@admin.register(Contact)
class ContactAdmin(LiaisonAdmin):
    save_service = staticmethod(services.contact_save)
    list_display = ["name", "customer", "position", "phone", "email", "is_primary", "active"]
    list_filter = ["active", "is_primary"]
    search_fields = ["name", "phone", "email", "customer__registered_name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
