"""Pages of the communications app: received documents' files, for those allowed to read them."""

from django.contrib.auth.decorators import login_required
from django.http import Http404

from liaison.communications import selectors
from liaison.core.models import Attachment
from liaison.core.views import attachment_response


@login_required
def received_document_file(request, pk: int, attachment_pk: int):
    """Show a received document's scan or PDF in the browser."""
    try:
        attachment = selectors.received_document_file(document_pk=pk, attachment_pk=attachment_pk)
    except Attachment.DoesNotExist:
        raise Http404 from None
    return attachment_response(request, attachment)
