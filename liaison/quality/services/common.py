"""What the quality services share: refusals in the app's words, the complaint's locked row, plain text.

Private to the ``services`` package: pages, the API and other apps call the steps, not these.
"""

from liaison.core.errors import LiaisonError, refuse
from liaison.quality.errors import MESSAGES, STEPS, QualityErrorCode
from liaison.quality.models import Complaint
from liaison.quality.states import ComplaintChannel, ComplaintStatus

Code = QualityErrorCode


def refusal(code: QualityErrorCode, **kwargs) -> LiaisonError:
    """The quality app's refusal ``code``, in its words."""
    return refuse(MESSAGES, code, **kwargs)


def wrong_status(complaint: Complaint, step: str) -> LiaisonError:
    """The refusal of a step the complaint's status does not allow now (409)."""
    return refusal(
        Code.WRONG_STATUS,
        conflict=True,
        number=complaint.number,
        status=ComplaintStatus(complaint.status).label.lower(),
        action=STEPS[step],
    )


def complaint_locked(complaint: Complaint) -> Complaint:
    """The complaint's row, locked (only its own row: PostgreSQL cannot lock an outer join's side)."""
    return (
        Complaint.objects.select_for_update(of=("self",))
        .select_related("customer", "order", "product")
        .get(pk=complaint.pk)
    )



def channel_checked(value: str) -> str:
    """``value`` when it is one of the ways a customer is reached; refused otherwise."""
    if value not in ComplaintChannel.values:
        raise refusal(Code.CHANNEL_INVALID, field="channel")
    return value
