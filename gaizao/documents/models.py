"""The district's own 公文 templates (公文模板): one active per kind, earlier uploads kept as history."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def template_path(instance: "DocumentTemplate", filename: str) -> str:
    return f"documents/templates/{instance.kind}-{uuid.uuid4().hex}.docx"


class DocumentTemplate(models.Model):
    """A template a district uploaded for one kind of 公文 (its own 红头, its own wording).

    ``active`` marks the one in use; a new upload or a revert to the shipped template clears it, and the
    row stays as history (who uploaded what, when, with its checksum). Files are served only through the
    公文模板 page.
    """

    kind = models.CharField(_("公文种类"), max_length=30)
    file = models.FileField(_("模板文件"), upload_to=template_path)
    original_name = models.CharField(_("原文件名"), max_length=200)
    size = models.PositiveIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("上传人"), null=True, blank=True,
                                    on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    active = models.BooleanField(_("使用中"), default=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("公文模板")
        verbose_name_plural = _("公文模板")
        ordering = ["kind", "-uploaded_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind"], condition=Q(active=True),
                                    name="documenttemplate_one_active_per_kind"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"
