"""Pages of the communications app: received documents' files, and the void step of a document.

The void page is reached from the document's back-office page (its "Void" action); the
step posts to the same address and is taken like every step of a record's page
(``core.pages``): a refusal comes back on the form, a role refused gets 403.
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _

from liaison.communications import selectors, services
from liaison.communications.errors import ACTIONS
from liaison.communications.forms import VoidForm
from liaison.communications.models import ReceivedDocument
from liaison.core.models import Attachment
from liaison.core.pages import RecordPage, page_context
from liaison.core.views import attachment_response


@login_required
def received_document_file(request, pk: int, attachment_pk: int):
    """Show a received document's scan or PDF in the browser."""
    try:
        attachment = selectors.received_document_file(document_pk=pk, attachment_pk=attachment_pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    return attachment_response(request, attachment)


def _document(request, object_id) -> ReceivedDocument:
    try:
        return selectors.received_document_get(pk=int(object_id))
    except (ValueError, ReceivedDocument.DoesNotExist):
        raise Http404 from None


def _change_url(document: ReceivedDocument) -> str:
    return reverse("admin:communications_receiveddocument_change", args=[document.pk])


def _render_void_page(request, document: ReceivedDocument, bound: dict | None = None, status: int = 200):
    """The void page of a document: what it is, and the reason to give."""
    bound = bound or {}
    context = page_context(
        request,
        title=_("Void document %(number)s") % {"number": document.number},
        opts=ReceivedDocument._meta,
        document=document,
        form=bound.get("void") or VoidForm(prefix="void"),
        change_url=_change_url(document),
    )
    return TemplateResponse(request, "communications/receiveddocument_void.html", context, status=status)


void_page = RecordPage(load=_document, render=_render_void_page, url=_change_url)


def received_document_void_page(request, object_id):
    """GET: the void page of a document."""
    return _render_void_page(request, _document(request, object_id))


@void_page.step("void", form=VoidForm, actions=[ACTIONS["void"]])
def received_document_void(request, document, form):
    """Void a document catalogued by mistake; it keeps its number and files (R-5.2.2.3)."""
    services.received_document_void(document=document, reason=form.cleaned_data["reason"], actor=request.user)
    return _("Document %(number)s is void.") % {"number": document.number}
