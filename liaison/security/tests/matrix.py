"""The permission matrix: for every page and API endpoint, which roles may read it and write through it.

ONE table, read by ``test_permission_matrix.py``, which walks the real URLconf: an
endpoint that is not in ``MATRIX`` fails the suite with a message saying to add it here.
The back office (``admin/``) is left out: its pages follow the model permissions in
``liaison/core/roles.py``, tested in ``liaison/core/tests/test_permissions.py``.

``read``: roles whose GET answers 200 (every other role, and anyone signed out, is
refused: 401/403/404 or the redirect to the login page); ``None`` when the URL
serves no GET. ``write``: roles for whom the representative write (``method``, an
empty body) passes the permission checks (it may still be refused as invalid, 400,
or by the record's state, 409); a refused role gets 401/403/404 and nothing in the
database changes. ``obj``: the ``world`` record (``world.py``) whose id is
the URL's ``pk``; ``kwargs`` for URLs with more ids.
"""

from dataclasses import dataclass, field

from django.urls import URLPattern, URLResolver, get_resolver

from liaison.core.roles import Role

ANONYMOUS = "anonymous"
SS, SA, SH = Role.SALES_STAFF, Role.SALES_ADMIN, Role.SALES_HEAD
QI, QH = Role.QC_INSPECTOR, Role.QC_HEAD
WL, WC, RM = Role.WORKSHOP_LEAD, Role.WAREHOUSE_CLERK, Role.RESPONSIBLE_MEMBER
MG, AD = Role.MANAGEMENT, Role.ADMINISTRATOR
SALES = frozenset({SS, SA, SH})
SALES_DECIDE = frozenset({SA, SH, AD})  # sales administrator and head (and the administrator)
QC = frozenset({QI, QH})
# The steps the procedure gives to a head take their roles from procedure settings (core/procedure.py),
# not from the role table: the administrator is left out of them on purpose (R-5.5.1.1-3, R-4).
CONFIRM = frozenset({SH})  # COMPLAINT_CONFIRM_ROLES: the Sales head confirms a complaint, passing it to QC
QC_HEAD = frozenset({QH})  # COMPLAINT_INVESTIGATE_ROLES, CAPA_VERIFY_ROLES, COMPLAINT_FEEDBACK_ROLES
EVERYONE = frozenset(Role)
NOBODY = frozenset()


@dataclass(frozen=True)
class Access:
    read: frozenset | None = None
    write: frozenset | None = None
    method: str = "post"
    obj: str | None = None
    kwargs: dict = field(default_factory=dict)

    def url_kwargs(self) -> dict:
        return {"pk": self.obj, **self.kwargs} if self.obj else dict(self.kwargs)


def A(read=None, write=None, **kwargs) -> Access:  # noqa: N802  (reads as a table)
    return Access(
        read=None if read is None else frozenset(read), write=None if write is None else frozenset(write), **kwargs
    )


MATRIX: dict[str, Access] = {
    # --- site, account, files, API documents -------------------------------------------------
    "/": A(),  # redirect to the dashboard (login first)
    "account-language": A(write=EVERYONE),
    "attachment-download": A(read=EVERYONE - {RM, WC, WL}, obj="complaint_attachment"),
    "api-token": A(write=EVERYONE | {ANONYMOUS}),
    "api-me": A(read=EVERYONE),
    "api-schema": A(read=EVERYONE),
    "api-docs": A(read=EVERYONE),
    "api-redoc": A(read=EVERYONE),
    # --- customers, communications ----------------------------------------------------------
    "customers:detail": A(read=EVERYONE - {RM, WL}, obj="customer"),
    "communications:received-file": A(
        read=EVERYONE - {RM, WC, WL}, kwargs={"pk": "received_document", "attachment_pk": "fax_attachment"}
    ),
    # --- production (F4) pages ----------------------------------------------------------------
    "production:list": A(read=EVERYONE - {RM}),
    "production:detail": A(read=EVERYONE - {RM}, obj="notice"),
    "production:start": A(write={WL, AD}, obj="notice"),
    "production:complete": A(write={WL, AD}, obj="notice"),
    # --- orders (F1, F2, F3) pages ------------------------------------------------------------
    "orders:list": A(read=EVERYONE - {RM}),
    "workspace:inbox": A(read=EVERYONE),
    "workspace:inbox-moved": A(),  # redirect to the inbox, from where it used to be
    "orders:register": A(read=SALES | {AD}, write=SALES | {AD}),
    "orders:register-documents": A(read=SALES | {AD}),
    "orders:detail": A(read=EVERYONE - {RM}, obj="order"),
    "orders:ask": A(write=SALES | {AD}, obj="order_under_review"),
    "orders:answer": A(write=SALES | {AD}, obj="order_under_review"),
    "orders:sign": A(write=EVERYONE - {MG, RM}, obj="order_under_review"),
    "orders:legal": A(write=SALES | {AD}, obj="order_under_review"),
    "orders:decide": A(write=SALES_DECIDE, obj="order_under_review"),
    "orders:ship": A(write=SALES | {WC, AD}, obj="order"),
    "orders:notice": A(write=SALES_DECIDE, obj="order"),
    "orders:reply": A(write=SALES | {AD}, obj="order"),
    "orders:change": A(write=SALES | {AD}, obj="order"),
    "orders:agree": A(write=SALES | {AD}, obj="order"),
    "orders:withdraw": A(write=SALES | {AD}, obj="order"),
    "orders:apply": A(write=SALES_DECIDE, obj="order"),
    "orders:void": A(write={SH, AD}, obj="order_under_review"),
    # --- complaints, returns, CAPA (F6, F7) pages ---------------------------------------------
    "quality:register": A(read=SALES | {AD}, write=SALES | {AD}),
    "quality:register-orders": A(read=SALES | {AD}),
    "quality:complaint": A(read=EVERYONE - {RM, WC, WL}, obj="complaint"),
    "quality:acknowledge": A(write=CONFIRM, obj="complaint"),
    "quality:investigate": A(write=QC_HEAD, obj="complaint"),
    "quality:issue-capa": A(write=QC | {AD}, obj="complaint"),
    "quality:inspect": A(write=QC | {AD}, kwargs={"pk": "return", "line_pk": "return_line"}),
    "quality:not-coming": A(write=QC | {AD}, kwargs={"pk": "return", "line_pk": "return_line"}),
    "quality:dispose": A(write=QC | {AD}, kwargs={"pk": "return", "record_pk": "nonconformance"}),
    "quality:replace": A(write=SALES_DECIDE, obj="return"),
    "quality:result": A(write=QC | {AD}, obj="complaint"),
    "quality:feedback": A(write=QC_HEAD, obj="complaint"),
    "quality:close": A(write=QC_HEAD, obj="complaint"),
    "quality:void": A(write={SH, AD}, obj="complaint"),
    "quality:report": A(read=QC | {SH, MG, AD}),
    # The CAPA request is the engineering department's: the workshop lead's is another one (404).
    "quality:capa": A(read=EVERYONE - {WC, WL}, obj="capa"),
    "quality:capa-review": A(write={RM, AD}, obj="capa"),
    "quality:capa-implement": A(write={RM, AD}, obj="capa"),
    "quality:capa-verify-execution": A(write=QC_HEAD, obj="capa"),
    "quality:capa-send-back": A(write=QC_HEAD, obj="capa"),
    "quality:capa-verify-effectiveness": A(write=QC_HEAD, obj="capa"),
    # --- printed forms (PDF) ------------------------------------------------------------------
    "documents:f1": A(read=EVERYONE - {RM}, obj="order"),
    "documents:f2": A(read=EVERYONE - {RM}, obj="review_round"),
    "documents:f3": A(read=EVERYONE - {RM, WL}, obj="change_order"),  # F3 is printed per order
    "documents:f4": A(read=EVERYONE - {RM}, obj="notice"),
    "documents:f5": A(read=EVERYONE - {RM, WC, WL}, obj="customer"),  # F5 is printed per customer
    "documents:f6": A(read=EVERYONE - {RM, WC, WL}, obj="complaint"),
    "documents:f7": A(read=EVERYONE - {WC, WL}, obj="capa"),
    "documents:f8": A(read=EVERYONE - {RM, WL}, obj="slip"),
    "documents:complaint-report": A(read=QC | {SH, MG, AD}),
    # --- API: organisation, customers, stock --------------------------------------------------
    "department-list": A(read={SH, QH, MG, AD}),
    "department-detail": A(read={SH, QH, MG, AD}, obj="department"),
    "customer-list": A(read=EVERYONE - {RM, WL}, write=SALES | {AD}),
    "customer-detail": A(read=EVERYONE - {RM, WL}, write=SALES | {AD}, method="patch", obj="customer"),
    "contact-list": A(read=EVERYONE - {RM, WL}, write=SALES | {AD}),
    "contact-detail": A(read=EVERYONE - {RM, WL}, write=SALES | {AD}, method="patch", obj="contact"),
    "product-list": A(read=EVERYONE - {RM}, write={SA, SH, WC, AD}),
    "product-detail": A(read=EVERYONE - {RM}, write={SA, SH, WC, AD}, method="patch", obj="product"),
    "qualifiedstock-list": A(read=EVERYONE - {RM}),
    "qualifiedstock-detail": A(read=EVERYONE - {RM}, obj="stock"),
    "stockmove-list": A(read=EVERYONE - {RM, WL}, write={WC, AD}),
    "stockmove-detail": A(read=EVERYONE - {RM, WL}, obj="stock_move"),
    "outboundslip-list": A(read=EVERYONE - {RM, WL}, write=SALES | {WC, AD}),
    "outboundslip-detail": A(read=EVERYONE - {RM, WL}, obj="slip"),
    # --- API: communications ------------------------------------------------------------------
    "received-document-list": A(read=EVERYONE - {RM, WC, WL}, write=SALES | {AD}),
    "received-document-detail": A(read=EVERYONE - {RM, WC, WL}, obj="received_document"),
    "received-document-void": A(write=SALES | {AD}, obj="received_document"),
    "communication-record-list": A(read=EVERYONE - {RM, WC, WL}, write=SALES | {AD}),
    "communication-record-detail": A(read=EVERYONE - {RM, WC, WL}, obj="communication_record"),
    # --- API: orders --------------------------------------------------------------------------
    "order-list": A(read=EVERYONE - {RM}, write=SALES | {AD}),
    "order-detail": A(read=EVERYONE - {RM}, obj="order"),
    "order-clarifications": A(write=SALES | {AD}, obj="order_under_review"),
    "order-delivery-reply": A(write=SALES | {AD}, obj="order"),
    "order-void": A(write={SH, AD}, obj="order_under_review"),
    "clarification-list": A(read=EVERYONE - {RM, WL}),
    "clarification-detail": A(read=EVERYONE - {RM, WL}, obj="clarification"),
    "clarification-answer": A(write=SALES | {AD}, obj="clarification"),
    "review-round-list": A(read=EVERYONE - {RM}),
    "review-round-detail": A(read=EVERYONE - {RM}, obj="review_round"),
    "review-round-decide": A(write=SALES_DECIDE, obj="review_round"),
    "review-round-legal-check": A(write=SALES | {AD}, obj="review_round"),
    "sign-off-detail": A(read=EVERYONE - {RM}, obj="sign_off"),
    "sign-off-sign": A(write=EVERYONE - {MG, RM}, obj="sign_off"),
    "change-list": A(read=EVERYONE - {RM, WL}, write=SALES | {AD}),
    "change-detail": A(read=EVERYONE - {RM, WL}, obj="change"),
    "change-agreement": A(write=SALES | {AD}, obj="change"),
    "change-apply": A(write=SALES_DECIDE, obj="change"),
    "change-withdraw": A(write=SALES | {AD}, obj="change"),
    # --- API: production ----------------------------------------------------------------------
    "production-notice-list": A(read=EVERYONE - {RM}, write=SALES_DECIDE),
    "production-notice-detail": A(read=EVERYONE - {RM}, obj="notice"),
    "production-notice-start": A(write={WL, AD}, obj="notice"),
    "production-notice-complete": A(write={WL, AD}, obj="notice"),
    "production-notice-void": A(write=SALES_DECIDE, obj="notice"),
    # --- API: quality -------------------------------------------------------------------------
    "complaint-list": A(read=EVERYONE - {RM, WC, WL}, write=SALES | {AD}),
    "complaint-detail": A(read=EVERYONE - {RM, WC, WL}, obj="complaint"),
    "complaint-acknowledge": A(write=CONFIRM, obj="complaint"),
    "complaint-investigate": A(write=QC_HEAD, obj="complaint"),
    "complaint-result": A(write=QC | {AD}, obj="complaint"),
    "complaint-feedback": A(write=QC_HEAD, obj="complaint"),
    "complaint-close": A(write=QC_HEAD, obj="complaint"),
    "complaint-void": A(write={SH, AD}, obj="complaint"),
    "complaint-replace": A(write=SALES_DECIDE, obj="return"),
    "complaint-report": A(read=QC | {SH, MG, AD}),
    "return-line-detail": A(read=EVERYONE - {RM, WC, WL}, obj="return_line"),
    "return-line-inspect": A(write=QC | {AD}, obj="return_line"),
    "return-line-not-coming": A(write=QC | {AD}, obj="return_line"),
    "nonconformance-record-list": A(read=EVERYONE - {RM, WC, WL}),
    "nonconformance-record-detail": A(read=EVERYONE - {RM, WC, WL}, obj="nonconformance"),
    "nonconformance-record-dispose": A(write=QC | {AD}, obj="nonconformance"),
    "feedback-list": A(read=EVERYONE - {RM, WC, WL}, write=SALES | {AD}),
    "feedback-detail": A(read=EVERYONE - {RM, WC, WL}, obj="feedback"),
    "feedback-answer": A(write=SALES | {AD}, obj="feedback"),
    # A workshop lead lists CAPA requests (their own department's: none here) but reads none of them.
    "capa-request-list": A(read=EVERYONE - {WC}, write=QC | {AD}),
    "capa-request-detail": A(read=EVERYONE - {WC, WL}, obj="capa"),
    "capa-request-review": A(write={RM, AD}, obj="capa"),
    "capa-request-implement": A(write={RM, AD}, obj="capa"),
    "capa-request-verify-execution": A(write=QC_HEAD, obj="capa"),
    "capa-request-send-back": A(write=QC_HEAD, obj="capa"),
    "capa-request-verify-effectiveness": A(write=QC_HEAD, obj="capa"),
    # --- satisfaction surveys (F10) -----------------------------------------------------------
    # The customer's answer page is public behind its unguessable token (the world's form is no
    # longer open: 409 for everyone); tested in liaison/satisfaction/tests/test_answer_page.py.
    "satisfaction:answer": A(kwargs={"token": "answer_token"}),
    "satisfaction:rounds": A(read=SALES | QC | {MG, AD}),
    "satisfaction:round-plan": A(write=SALES | {AD}),
    "satisfaction:record": A(write=SALES | {AD}),  # an interview or feedback on a form F10
    "satisfaction:round": A(read=SALES | QC | {MG, AD}, obj="survey_round"),
    "satisfaction:round-send": A(write=SALES | {AD}, obj="survey_round"),
    "satisfaction:round-enter": A(write=SALES | {AD}, obj="survey_round"),
    "satisfaction:analysis": A(read=SALES | QC | {MG, AD}),
    "satisfaction:form": A(read=SALES | QC | {MG, AD}, obj="survey_form"),
    "satisfaction:form-void": A(write={SH, AD}, obj="survey_form"),  # the page refuses the role first, as the API
    "satisfaction:form-chase": A(write=SALES | {AD}, obj="survey_form"),
    "satisfaction:form-complaint": A(write=SALES | {AD}, obj="survey_form"),
    "satisfaction:form-capa": A(write=QC | {AD}, obj="survey_form"),
    "documents:f10": A(read=SALES | QC | {MG, AD}, obj="survey_form"),
    "questionnaire-list": A(read=SALES | QC | {MG, AD}, write=SALES_DECIDE),
    "questionnaire-detail": A(read=SALES | QC | {MG, AD}, obj="questionnaire"),
    "survey-round-list": A(read=SALES | QC | {MG, AD}, write=SALES | {AD}),
    "survey-round-detail": A(read=SALES | QC | {MG, AD}, obj="survey_round"),
    "survey-round-send": A(write=SALES | {AD}, obj="survey_round"),
    "survey-form-list": A(read=SALES | QC | {MG, AD}, write=SALES | {AD}),
    "survey-form-detail": A(read=SALES | QC | {MG, AD}, obj="survey_form"),
    "survey-form-enter": A(write=SALES | {AD}, obj="survey_form"),
    "survey-form-chase": A(write=SALES | {AD}, obj="survey_form"),
    "survey-form-chase-run": A(write=SALES | {AD}),
    "survey-form-complaint": A(write=SALES | {AD}, obj="survey_form"),
    "survey-form-dissatisfaction": A(write=QC | {AD}, obj="survey_form"),
    "survey-form-void": A(write={SH, AD}, obj="survey_form"),
    # --- management review --------------------------------------------------------------------
    "management:calendar": A(read=EVERYONE),
    "management:plan": A(write={MG, AD}),
    "management:meeting": A(read=EVERYONE, obj="meeting"),
    "management:update": A(write={MG, AD}, obj="meeting"),
    "management:hold": A(write={MG, AD}, obj="meeting"),
    "management:cancel": A(write={MG, AD}, obj="meeting"),
    "management:action-add": A(write={MG, AD}, obj="meeting"),
    "management:action-complete": A(write={SH, QH, MG, AD}, obj="meeting"),
    "management:action-cancel": A(write={MG, AD}, obj="meeting"),
    "management:pack": A(read=QC | {SH, MG, AD}, obj="meeting"),
    "documents:review-pack": A(read=QC | {SH, MG, AD}, obj="meeting"),
    "review-meeting-list": A(read=EVERYONE, write={MG, AD}),
    "review-meeting-detail": A(read=EVERYONE, write={MG, AD}, method="patch", obj="meeting"),
    "review-meeting-actions": A(write={MG, AD}, obj="meeting"),
    "review-meeting-hold": A(write={MG, AD}, obj="meeting"),
    "review-meeting-cancel": A(write={MG, AD}, obj="meeting"),
    "review-meeting-pack": A(read=QC | {SH, MG, AD}, obj="meeting"),
    "review-action-list": A(read=EVERYONE),
    "review-action-detail": A(read=EVERYONE, obj="review_action"),
    "review-action-complete": A(write={SH, QH, MG, AD}, obj="review_action"),
    "review-action-cancel": A(write={MG, AD}, obj="review_action"),
    # --- records: retention, legal holds, audit -------------------------------------------------
    "records:overview": A(read={SH, QH, AD}),
    "records:audit": A(read={SH, QH, MG, AD}),
    "records:audit-export": A(read={SH, QH, MG, AD}),
    "records:history": A(read=EVERYONE - {RM}, kwargs={"app_label": "=orders", "model_name": "=order", "pk": "order"}),
    "retention-overview": A(read={SH, QH, AD}),
    "retention-policy-list": A(read={SH, QH, AD}),
    "retention-policy-detail": A(read={SH, QH, AD}, write={AD}, method="patch", obj="retention_policy"),
    "legal-hold-list": A(read={SH, QH, AD}, write={AD}),
    "legal-hold-detail": A(read={SH, QH, AD}, obj="legal_hold"),
    "legal-hold-release": A(write={AD}, obj="legal_hold"),
    "disposal-log-list": A(read={SH, QH, AD}),
    "disposal-log-detail": A(read={SH, QH, AD}, obj="disposal_log_entry"),
}

# Lists scoped to the reader's department: (list URL name, role, record that must be missing,
# record that must be there).
SCOPED_LISTS = [
    ("production-notice-list", WL, "other_notice", "notice"),
    ("capa-request-list", RM, "other_capa", "capa"),
    ("capa-request-list", WL, "capa", None),
]
# Direct access by id to another department's record: refused (404 or 403).
SCOPED_RECORDS = [
    ("production-notice-detail", WL, "other_notice"),
    ("production:detail", WL, "other_notice"),
    ("documents:f4", WL, "other_notice"),
    ("capa-request-detail", RM, "other_capa"),
    ("quality:capa", RM, "other_capa"),
    ("capa-request-implement", RM, "other_capa"),
    ("production-notice-start", WL, "other_notice"),
]


def _walk(patterns, prefix="", namespace=None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), namespace, pattern


def endpoints() -> list[str]:
    """Every page and API endpoint of the URLconf outside the back office, by URL name ("/route" if unnamed)."""
    found = []
    for route, namespace, pattern in _walk(get_resolver().url_patterns):
        if route.startswith("admin/"):
            continue
        if pattern.name:
            found.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
        else:
            found.append("/" + route)
    return sorted(set(found))
