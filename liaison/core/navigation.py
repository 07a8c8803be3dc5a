"""The back office's sidebar, grouped by the procedure's areas and filtered by role."""

from django.urls import NoReverseMatch, reverse, reverse_lazy
from django.utils.translation import gettext_lazy as _


def _can(*perms: str):
    def check(request) -> bool:
        return any(request.user.has_perm(perm) for perm in perms)

    return check


def _survey_forms_link(request) -> str:
    """The F10 forms' back-office list; the rounds page while the satisfaction admin is not registered."""
    try:
        return reverse("admin:satisfaction_surveyform_changelist")
    except NoReverseMatch:
        return reverse("satisfaction:rounds")


def _can_view_complaint_report(request) -> bool:
    from liaison.quality.report import can_view_complaint_report

    return can_view_complaint_report(request.user)


def sidebar(request) -> list[dict]:
    """Return the sidebar groups; unfold hides items whose permission check fails."""
    groups = [
        {
            "title": _("Overview"),
            "items": [
                {"title": _("Dashboard"), "icon": "dashboard", "link": reverse_lazy("admin:index")},
            ],
        },
        {
            "title": _("Orders"),
            "items": [
                {
                    "title": _("My inbox"),
                    "icon": "inbox",
                    "link": reverse_lazy("orders:inbox"),
                    "badge": "liaison.core.inbox.inbox_badge",
                },
                {
                    "title": _("Order log (F1)"),
                    "icon": "receipt_long",
                    "link": reverse_lazy("admin:orders_order_changelist"),
                    "permission": _can("orders.view_order"),
                },
                {
                    "title": _("Register an order"),
                    "icon": "add_shopping_cart",
                    "link": reverse_lazy("orders:register"),
                    "permission": _can("orders.add_order"),
                },
                {
                    "title": _("Contract reviews (F2)"),
                    "icon": "fact_check",
                    "link": reverse_lazy("admin:orders_reviewround_changelist"),
                    "permission": _can("orders.view_reviewround"),
                },
                {
                    "title": _("Change register (F3)"),
                    "icon": "published_with_changes",
                    "link": reverse_lazy("admin:orders_changeentry_changelist"),
                    "permission": _can("orders.view_changeentry"),
                },
            ],
        },
        {
            "title": _("Production"),
            "items": [
                {
                    "title": _("Workshop notices"),
                    "icon": "precision_manufacturing",
                    "link": reverse_lazy("production:list"),
                    "permission": _can("production.view_productionnotice"),
                },
                {
                    "title": _("Production notices (F4)"),
                    "icon": "factory",
                    "link": reverse_lazy("admin:production_productionnotice_changelist"),
                    "permission": _can("production.view_productionnotice"),
                },
            ],
        },
        {
            "title": _("Complaints and CAPA"),
            "items": [
                {
                    "title": _("Complaints and returns (F6)"),
                    "icon": "report",
                    "link": reverse_lazy("admin:quality_complaint_changelist"),
                    "permission": _can("quality.view_complaint"),
                },
                {
                    "title": _("Register a complaint or return"),
                    "icon": "add_comment",
                    "link": reverse_lazy("quality:register"),
                    "permission": _can("quality.add_complaint"),
                },
                {
                    "title": _("Nonconformance records"),
                    "icon": "rule",
                    "link": reverse_lazy("admin:quality_nonconformancerecord_changelist"),
                    "permission": _can("quality.view_nonconformancerecord"),
                },
                {
                    "title": _("CAPA requests (F7)"),
                    "icon": "build_circle",
                    "link": reverse_lazy("admin:quality_caparequest_changelist"),
                    "permission": _can("quality.view_caparequest"),
                },
                {
                    "title": _("Complaint handling report"),
                    "icon": "query_stats",
                    "link": reverse_lazy("quality:report"),
                    "permission": _can_view_complaint_report,
                },
                {
                    "title": _("Other feedback"),
                    "icon": "thumb_up",
                    "link": reverse_lazy("admin:quality_feedback_changelist"),
                    "permission": _can("quality.view_feedback"),
                },
            ],
        },
        {
            "title": _("Customer satisfaction"),
            "items": [
                {
                    "title": _("Survey rounds"),
                    "icon": "event_repeat",
                    "link": reverse_lazy("satisfaction:rounds"),
                    "permission": _can("satisfaction.view_surveyround"),
                },
                {
                    "title": _("Survey forms (F10)"),
                    "icon": "assignment",
                    "link": _survey_forms_link,
                    "permission": _can("satisfaction.view_surveyform"),
                },
                {
                    "title": _("Satisfaction analysis"),
                    "icon": "monitoring",
                    "link": reverse_lazy("satisfaction:analysis"),
                    "permission": _can("satisfaction.view_surveyround"),
                },
            ],
        },
        {
            "title": _("Management review"),
            "items": [
                {
                    "title": _("Review calendar"),
                    "icon": "event_note",
                    "link": reverse_lazy("management:calendar"),
                    "permission": _can("management.view_reviewmeeting"),
                },
                {
                    "title": _("Review actions"),
                    "icon": "task_alt",
                    "link": reverse_lazy("admin:management_reviewaction_changelist"),
                    "permission": _can("management.view_reviewaction"),
                },
            ],
        },
        {
            "title": _("Customers"),
            "items": [
                {
                    "title": _("Customer master data (F9)"),
                    "icon": "apartment",
                    "link": reverse_lazy("admin:customers_customer_changelist"),
                    "permission": _can("customers.view_customer"),
                },
                {
                    "title": _("Contacts"),
                    "icon": "contacts",
                    "link": reverse_lazy("admin:customers_contact_changelist"),
                    "permission": _can("customers.view_contact"),
                },
            ],
        },
        {
            "title": _("Communications"),
            "items": [
                {
                    "title": _("Received documents"),
                    "icon": "fax",
                    "link": reverse_lazy("admin:communications_receiveddocument_changelist"),
                    "permission": _can("communications.view_receiveddocument"),
                },
                {
                    "title": _("Communication record (F5)"),
                    "icon": "forum",
                    "link": reverse_lazy("admin:communications_communicationrecord_changelist"),
                    "permission": _can("communications.view_communicationrecord"),
                },
            ],
        },
        {
            "title": _("Stock"),
            "items": [
                {
                    "title": _("Products"),
                    "icon": "inventory_2",
                    "link": reverse_lazy("admin:stock_product_changelist"),
                    "permission": _can("stock.view_product"),
                },
                {
                    "title": _("Qualified stock"),
                    "icon": "warehouse",
                    "link": reverse_lazy("admin:stock_qualifiedstock_changelist"),
                    "permission": _can("stock.view_qualifiedstock"),
                },
                {
                    "title": _("Stock moves"),
                    "icon": "swap_vert",
                    "link": reverse_lazy("admin:stock_stockmove_changelist"),
                    "permission": _can("stock.view_stockmove"),
                },
                {
                    "title": _("Outbound slips (F8)"),
                    "icon": "local_shipping",
                    "link": reverse_lazy("admin:stock_outboundslip_changelist"),
                    "permission": _can("stock.view_outboundslip"),
                },
            ],
        },
        {
            "title": _("Organisation"),
            "items": [
                {
                    "title": _("Departments"),
                    "icon": "corporate_fare",
                    "link": reverse_lazy("admin:core_department_changelist"),
                    "permission": _can("core.view_department"),
                },
                {
                    "title": _("Users"),
                    "icon": "person",
                    "link": reverse_lazy("admin:core_user_changelist"),
                    "permission": _can("core.view_user"),
                },
                {
                    "title": _("Roles"),
                    "icon": "group",
                    "link": reverse_lazy("admin:auth_group_changelist"),
                    "permission": _can("auth.view_group"),
                },
                {
                    "title": _("Records retention"),
                    "icon": "inventory",
                    "link": reverse_lazy("records:overview"),
                    "permission": _can("records.view_retentionpolicy"),
                },
                {
                    "title": _("Audit trail"),
                    "icon": "manage_search",
                    "link": reverse_lazy("records:audit"),
                    "permission": _can("records.audit_history"),
                },
                {
                    "title": _("API documentation"),
                    "icon": "api",
                    "link": reverse_lazy("api-docs"),
                },
            ],
        },
    ]
    for group in groups:
        group["separator"] = True
        group["collapsible"] = False
    return groups
