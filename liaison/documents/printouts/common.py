"""What several printouts share: plural headings, the void watermark, the prepared-by box, the 補貨 mark."""

from django.utils.text import capfirst
from django.utils.translation import gettext as _

from liaison.communications.states import CommunicationChannel
from liaison.documents.pdf import SignBox, fmt_datetime, fmt_person
from liaison.production.models import ProductionNotice

REPLENISHMENT = "補貨"  # the procedure's own mark (R-5.5.2.3), written on the paper in Chinese


def plural_label(model) -> str:
    """A section heading: the model's plural name, capitalised."""
    return capfirst(str(model._meta.verbose_name_plural))


def is_chinese(language: str) -> bool:
    return language.lower().startswith("zh")


def void_watermark(language: str) -> str:
    """The word across a void form: as translated in Chinese, in capitals otherwise."""
    word = _("Void")
    return word if is_chinese(language) else word.upper()


def prepared_by(user, when) -> SignBox:
    return SignBox(_("Prepared by"), fmt_person(user), fmt_datetime(when) if user else "")


def replenishment_marks(language: str) -> list[str]:
    """The 補貨 stamp: the catalogue's word in Chinese, the original mark plus a gloss otherwise."""
    if is_chinese(language):
        return [str(ProductionNotice._meta.get_field("replenishment").verbose_name)]
    return [REPLENISHMENT, _("Replenishment")]


def channel_label(value: str) -> str:
    """How a communication channel reads (the stored value itself if it is not one of the choices)."""
    return str(dict(CommunicationChannel.choices).get(value, value))
