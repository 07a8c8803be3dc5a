"""The security log: sign-ins, sign-outs, failures, lockouts and refused access.

Rows are written once and never changed or deleted (an audit trail); the
back office shows them read-only to administrators.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from liaison.core import clock
from liaison.security.states import SecurityEventKind


class SecurityEventQuerySet(models.QuerySet):
    def delete(self):
        raise models.ProtectedError(_("Security events are never deleted."), set(self))

    def update(self, **kwargs):
        raise models.ProtectedError(_("Security events are never changed."), set(self))


class SecurityEvent(models.Model):
    kind = models.CharField(_("event"), max_length=20, choices=SecurityEventKind.choices, db_index=True)
    at = models.DateTimeField(_("at"), default=clock.now, db_index=True, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    username = models.CharField(_("user name given"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    path = models.CharField(_("path"), max_length=500, blank=True)
    status_code = models.PositiveSmallIntegerField(_("status"), null=True, blank=True)

    objects = SecurityEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("security event")
        verbose_name_plural = _("security log")
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.username} {self.at:%Y-%m-%d %H:%M}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise models.ProtectedError(_("Security events are never changed."), {self})
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise models.ProtectedError(_("Security events are never deleted."), {self})
