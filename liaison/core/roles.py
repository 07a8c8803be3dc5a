"""The procedure's roles as Django groups, and the permissions each one holds.

The table below is the single place that says who may do what at model level;
``roles_sync`` writes it into the groups after every migration. Object-level
checks (a workshop sees its own notices, a department implements its own CAPA)
are ``rules`` predicates in each app's ``rules.py``.
"""

from dataclasses import dataclass
from enum import StrEnum

import rules
from django.contrib.auth.backends import ModelBackend
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core import procedure
from liaison.core.errors import LiaisonError


class Role(models.TextChoices):
    SALES_STAFF = "sales_staff", _("Sales staff")
    SALES_ADMIN = "sales_admin", _("Sales administrator")
    SALES_HEAD = "sales_head", _("Sales head")
    QC_INSPECTOR = "qc_inspector", _("QC inspector")
    QC_HEAD = "qc_head", _("QC head")
    WORKSHOP_LEAD = "workshop_lead", _("Workshop lead")
    WAREHOUSE_CLERK = "warehouse_clerk", _("Warehouse clerk")
    RESPONSIBLE_MEMBER = "responsible_member", _("Responsible-department member")
    MANAGEMENT = "management", _("Management")
    ADMINISTRATOR = "administrator", _("Administrator")


_VIEW_MASTER_DATA = [
    "customers.view_customer",
    "customers.view_contact",
    "customers.view_timelineentry",
    "stock.view_product",
    "stock.view_qualifiedstock",
    "stock.view_stockmove",
]
_VIEW_COMMUNICATIONS = [
    "communications.view_receiveddocument",
    "communications.view_communicationrecord",
]
# Reading the order chain: F1, F2 and its sign-offs, clarifications, F3, F4, F8.
_VIEW_ORDERS = [
    "orders.view_order",
    "orders.view_orderline",
    "orders.view_clarification",
    "orders.view_reviewround",
    "orders.view_reviewsignoff",
    "orders.view_changeentry",
    "production.view_productionnotice",
    "production.view_noticeline",
    "stock.view_outboundslip",
    "stock.view_outboundslipline",
]
# A department named on the review form signs for itself (object rule in orders/rules.py).
_SIGN_REVIEW = ["orders.change_reviewsignoff"]
# Complaints, returns, nonconformance and CAPA: reading the chain.
_VIEW_QUALITY = [
    "quality.view_complaint",
    "quality.view_returnline",
    "quality.view_nonconformancerecord",
    "quality.view_caparequest",
    "quality.view_feedback",
]
# Management reviews: the calendar, minutes and decided actions are read by every role, since
# an action may fall to any department (ISO 9001 9.3.3); the pack needs its sources' permissions.
_VIEW_REVIEWS = ["management.view_reviewmeeting", "management.view_reviewaction"]
# A department head owns review actions and reports them done (object rule: their own).
_OWN_REVIEW_ACTIONS = ["management.change_reviewaction"]
# Satisfaction surveys: questionnaires, rounds, F10 forms and their scores.
_VIEW_SATISFACTION = [
    "satisfaction.view_questionnairetemplate",
    "satisfaction.view_criterion",
    "satisfaction.view_surveyround",
    "satisfaction.view_surveyform",
    "satisfaction.view_surveyscore",
]
_SALES = [
    *_VIEW_MASTER_DATA,
    *_VIEW_REVIEWS,
    *_VIEW_COMMUNICATIONS,
    *_VIEW_ORDERS,
    *_SIGN_REVIEW,
    "orders.add_order",
    "orders.change_order",
    "orders.export_order",
    "orders.add_clarification",
    "orders.change_clarification",
    "orders.change_reviewround",
    "orders.add_changeentry",
    "orders.change_changeentry",
    "stock.add_outboundslip",
    "stock.export_outboundslip",
    # R-5.5.1.1: Sales registers complaints and returns, acknowledges and passes them to QC;
    # Sales records and answers other feedback.
    *_VIEW_QUALITY,
    "quality.add_complaint",
    "quality.change_complaint",
    "quality.acknowledge_complaint",
    "quality.export_complaint",
    "quality.add_feedback",
    "quality.change_feedback",
    "communications.add_receiveddocument",
    "communications.void_receiveddocument",
    "communications.add_communicationrecord",
    "customers.add_customer",
    "customers.change_customer",
    "customers.add_contact",
    "customers.change_contact",
    "customers.export_customer",
    "core.view_attachment",
    "core.add_attachment",
    # Sales runs the satisfaction surveys: plans and sends rounds, enters and chases forms.
    *_VIEW_SATISFACTION,
    "satisfaction.add_surveyround",
    "satisfaction.change_surveyround",
    "satisfaction.send_surveyround",
    "satisfaction.add_surveyform",
    "satisfaction.change_surveyform",
    "satisfaction.enter_surveyform",
    "satisfaction.chase_surveyform",
    "satisfaction.flag_surveyform",
    "satisfaction.export_surveyform",
]
_SALES_ADMIN = [
    *_SALES,
    "satisfaction.add_questionnairetemplate",
    "satisfaction.change_questionnairetemplate",
    "satisfaction.add_criterion",
    "satisfaction.change_criterion",
    # R-5.2.3.3: the sales administrator issues production notices; with the head, decides reviews.
    "orders.decide_reviewround",
    "production.add_productionnotice",
    "production.issue_productionnotice",
    "production.void_productionnotice",
    "customers.import_customer",
    "stock.add_product",
    "stock.change_product",
    "stock.export_product",
]
_QC = [
    *_VIEW_MASTER_DATA,
    *_VIEW_REVIEWS,
    *_VIEW_COMMUNICATIONS,
    *_VIEW_QUALITY,
    *_VIEW_SATISFACTION,  # QC issues the CAPA request for a dissatisfied customer
    "core.view_attachment",
    "core.add_attachment",
    # R-5.5.1.2, R-5.5.1.3, R-5.5.2.2: QC investigates, inspects returns, issues and verifies CAPA,
    # records the result and feeds it back.
    "quality.investigate_complaint",
    "quality.feedback_complaint",
    "quality.change_returnline",
    "quality.add_nonconformancerecord",
    "quality.change_nonconformancerecord",
    "quality.dispose_nonconformancerecord",
    "quality.add_caparequest",
    "quality.issue_caparequest",
    "quality.verify_caparequest",
    "quality.export_complaint",
]

# the retention overview, policies, legal holds and the disposal log (heads of the keeping departments).
_VIEW_RETENTION = [
    "records.view_retentionpolicy",
    "records.view_legalhold",
    "records.view_disposalrun",
    "records.view_disposallogentry",
]
# searching and exporting every record's history (the auditor's view).
_AUDIT = ["records.audit_history"]

ROLE_PERMISSIONS: dict[Role, list[str]] = {
    Role.SALES_STAFF: _SALES,
    Role.SALES_ADMIN: _SALES_ADMIN,
    Role.SALES_HEAD: [
        *_SALES_ADMIN, *_OWN_REVIEW_ACTIONS, "core.view_department", "orders.void_order", "quality.void_complaint",
        "satisfaction.void_surveyform",
        *_VIEW_RETENTION,
        *_AUDIT,
    ],
    Role.QC_INSPECTOR: [*_QC, *_VIEW_ORDERS, *_SIGN_REVIEW],
    Role.QC_HEAD: [
        *_QC, *_VIEW_ORDERS, *_SIGN_REVIEW, *_OWN_REVIEW_ACTIONS, "core.view_department", *_VIEW_RETENTION, *_AUDIT
    ],
    # workshops see their notices (object rule: their own workshop) and mark progress.
    Role.WORKSHOP_LEAD: [
        "stock.view_product",
        "stock.view_qualifiedstock",
        "orders.view_order",
        "orders.view_orderline",
        "orders.view_reviewround",
        "orders.view_reviewsignoff",
        *_SIGN_REVIEW,
        "production.view_productionnotice",
        "production.view_noticeline",
        "production.progress_productionnotice",
        "quality.view_caparequest",
        "quality.implement_caparequest",
        *_VIEW_REVIEWS,
    ],
    Role.WAREHOUSE_CLERK: [
        *_VIEW_ORDERS,
        *_VIEW_REVIEWS,
        *_SIGN_REVIEW,
        "stock.add_outboundslip",
        "stock.export_outboundslip",
        "customers.view_customer",
        "customers.view_contact",
        "stock.view_product",
        "stock.add_product",
        "stock.change_product",
        "stock.view_qualifiedstock",
        "stock.view_stockmove",
        "stock.add_stockmove",
        "stock.export_product",
        "core.view_attachment",
        "core.add_attachment",
    ],
    # the responsible department carries out the CAPA (object rule: its own department).
    Role.RESPONSIBLE_MEMBER: ["quality.view_caparequest", "quality.implement_caparequest", *_VIEW_REVIEWS],
    Role.MANAGEMENT: [
        *_VIEW_MASTER_DATA,
        *_VIEW_COMMUNICATIONS,
        *_VIEW_ORDERS,
        *_VIEW_QUALITY,
        *_VIEW_SATISFACTION,
        *_AUDIT,
        "core.view_department",
        "core.view_attachment",  # reads the scans behind the records it reviews
        "customers.export_customer",
        # Top management plans and holds its reviews and decides their actions (管理評審).
        *_VIEW_REVIEWS,
        "management.add_reviewmeeting",
        "management.change_reviewmeeting",
        "management.hold_reviewmeeting",
        "management.add_reviewaction",
        "management.change_reviewaction",
    ],
    Role.ADMINISTRATOR: [
        *_SALES_ADMIN,
        "orders.void_order",
        "production.progress_productionnotice",
        "quality.void_complaint",
        "satisfaction.void_surveyform",
        "stock.add_stockmove",
        "core.view_department",
        "core.add_department",
        "core.change_department",
        "core.view_user",
        "core.add_user",
        "core.change_user",
        "auth.view_group",
        "authtoken.view_tokenproxy",
        "authtoken.add_tokenproxy",
        "authtoken.delete_tokenproxy",
        # The security log and login throttling: read the log, unlock a locked-out sign-in.
        "security.view_securityevent",
        "axes.view_accessattempt",
        "axes.delete_accessattempt",
        "axes.view_accesslog",
        "axes.view_accessfailurelog",
        # retention policies (changed with a reason), legal holds; the disposal log is read-only.
        *_VIEW_RETENTION,
        "records.change_retentionpolicy",
        "records.add_legalhold",
        "records.change_legalhold",
        *_AUDIT,
    ],
}


def roles_sync(**kwargs) -> None:
    """Create one group per role and give it exactly the permissions in the table."""
    from django.contrib.auth.models import Group, Permission

    wanted = {perm for perms in ROLE_PERMISSIONS.values() for perm in perms}
    by_name = {}
    for perm in Permission.objects.select_related("content_type").filter(
        content_type__app_label__in={name.split(".")[0] for name in wanted}
    ):
        by_name[f"{perm.content_type.app_label}.{perm.codename}"] = perm
    for role, perms in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role.value)
        group.permissions.set([by_name[name] for name in perms if name in by_name])


def user_roles(user) -> set[str]:
    """Return the role codes of a user (cached on the user object for the request).

    Read with the user's group permissions, in the one query ``RoleModelBackend`` makes for both.
    """
    if not user.is_authenticated:
        return set()
    cached = getattr(user, "_liaison_roles", None)
    if cached is None:
        _model_backend.get_group_permissions(user)
        cached = user._liaison_roles
    return cached


class RoleModelBackend(ModelBackend):
    """Django's model backend, reading a user's roles (group names) in the query for their group permissions.

    A step whose roles are a procedure setting asks for the user's roles on pages that already
    ask for permissions: one query answers both, so naming the roles costs no query of its own.
    """

    def get_group_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_group_perm_cache"):
            rows = list(
                user_obj.groups.values_list("name", "permissions__content_type__app_label", "permissions__codename")
            )
            roles = {name for name, _app, _codename in rows}
            if user_obj.is_superuser:
                roles.add(Role.ADMINISTRATOR.value)
                user_obj._group_perm_cache = super().get_group_permissions(user_obj)
            else:
                user_obj._group_perm_cache = {f"{app}.{codename}" for _name, app, codename in rows if codename}
            user_obj._liaison_roles = roles
        return user_obj._group_perm_cache


# --- the one permission mechanism ----------------------------------------------------------------
#
# Every step of the procedure names the permission it needs in its app's ACTIONS table
# (``errors.py``), with the words a refusal uses. Services call ``require``; pages ask
# ``allowed`` to show a step's form; the API's ``RolePermission`` checks the same actions
# before it reads a body. Object rules (a department signs only its own line) are ``rules``
# predicates registered on the permission, so ``allowed(user, action, record)`` applies them.
# A step the procedure gives to one role (the QC head verifies …) names the procedure setting that
# lists the roles taking it (``roles_setting``): that setting, not the role table, says who may.


@dataclass(frozen=True)
class Action:
    """A step someone may be allowed to take: the permission it needs and how a refusal names it."""

    permission: str
    wording: str  # "issue production notices": completes "Your role does not allow you to …"
    code: StrEnum  # the app's NOT_ALLOWED code, as the API answers it
    roles_setting: str = ""  # a procedure setting listing the role codes that take the step

    def refusal(self, **kwargs) -> LiaisonError:
        return LiaisonError(self.code, NOT_ALLOWED_MESSAGE, forbidden=True, action=self.wording, **kwargs)


NOT_ALLOWED_MESSAGE = _("Your role does not allow you to %(action)s.")


def actions(code: StrEnum, table: dict[str, tuple]) -> dict[str, Action]:
    """An app's ACTIONS table: step name → ``Action`` from ``(permission, wording[, roles_setting])``."""
    return {
        name: Action(permission=entry[0], wording=entry[1], code=code, roles_setting=entry[2] if len(entry) > 2 else "")
        for name, entry in table.items()
    }


def allowed(user, action: Action | str, obj=None) -> bool:
    """True when an active ``user`` holds the action's permission (and its object rule allows ``obj``)."""
    permission = action.permission if isinstance(action, Action) else action
    if user is None or not user.is_active:
        return False
    if isinstance(action, Action) and action.roles_setting:
        # The procedure gives the step to these roles (no object rule is registered on such a step).
        return bool(user_roles(user) & set(procedure.setting(action.roles_setting)))
    return user.has_perm(permission, obj) if obj is not None else user.has_perm(permission)


def require(actor, action: Action, obj=None) -> None:
    """Refuse (403, the app's ``not_allowed``) unless ``actor`` may take ``action`` (on ``obj``)."""
    if not allowed(actor, action, obj):
        raise action.refusal()


def is_administrator(user) -> bool:
    """The administrator role, which may act for any department (and a superuser)."""
    return Role.ADMINISTRATOR.value in user_roles(user)


# --- object rules (``rules`` predicates) ----------------------------------------------------------

_model_backend = RoleModelBackend()

administrator = rules.predicate(is_administrator, name="is administrator")


def holds(permission: str) -> rules.Predicate:
    """The model permission from the user's role groups, as a ``rules`` predicate.

    An object rule registered on a permission is built on this: asking ``user.has_perm``
    inside it would recurse into the rule itself.
    """
    return rules.predicate(lambda user: _model_backend.has_perm(user, permission), name=f"holds {permission}")


def roles_holding(permission: str, *, except_roles=()) -> frozenset[str]:
    """The role codes whose table gives ``permission`` (but ``except_roles``): who reads every record of a kind."""
    return frozenset(
        role.value for role, perms in ROLE_PERMISSIONS.items() if role not in except_roles and permission in perms
    )
