"""Back office of the customers app."""

from django.contrib import admin
from unfold.admin import StackedInline

from liaison.core.admin_base import LiaisonAdmin
from liaison.customers import selectors, services
from liaison.customers.models import Contact, Customer


class ContactInline(StackedInline):
    model = Contact
    extra = 0
    fields = [("name", "position"), ("phone", "mobile", "fax"), ("email", "is_primary", "active"), "notes"]

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Customer)
class CustomerAdmin(LiaisonAdmin):
    save_service = staticmethod(services.customer_save)
    list_display = ["registered_name", "short_name", "phone", "status", "updated_at"]
    list_filter = ["status"]
    search_fields = ["registered_name"]
    inlines = [ContactInline]
    fieldsets = [
        (None, {"fields": ["registered_name", "short_name", "status"]}),
        ("F9", {"fields": ["address", ("phone", "fax", "email"), "business_scope", "company_profile"]}),
    ]

    def get_search_results(self, request, queryset, search_term):
        return selectors.customer_search(queryset=queryset, query=search_term), False

    def save_formset(self, request, form, formset, change):
        for contact in formset.save(commit=False):
            services.contact_save(contact=contact, actor=request.user)
        formset.save_m2m()


@admin.register(Contact)
class ContactAdmin(LiaisonAdmin):
    save_service = staticmethod(services.contact_save)
    list_display = ["name", "customer", "position", "phone", "email", "is_primary", "active"]
    list_filter = ["active", "is_primary"]
    search_fields = ["name", "phone", "email", "customer__registered_name"]
    list_select_related = ["customer"]
    autocomplete_fields = ["customer"]
