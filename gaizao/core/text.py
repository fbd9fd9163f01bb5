"""Text input: the one rule for invisible characters (不可见字符) in what people type or upload.

A certificate number with U+0001 or a name with a NUL looks right on screen, but it cannot be
written into an XLSX (openpyxl refuses it), PostgreSQL refuses NUL in text, and a bidi override
(U+202E) makes a name read backwards in a list. So text input refuses them with a message naming
the field, in one place for every door: ``core.services.full_clean`` (forms, the API, commands),
the ledger import's cell normaliser, and the few services that write without ``full_clean``.

Refused everywhere: control characters (Unicode category Cc: C0, DEL, C1), the bidi embedding,
override and isolate characters (U+202A–U+202E, U+2066–U+2069), lone surrogates and the
noncharacters U+FFFE/U+FFFF. Multi-line fields (notes, TextField) keep tab, newline and \\r\\n;
single-line fields refuse those too, once the ordinary leading/trailing whitespace is stripped.

The read side (search boxes, filters) does not refuse: it calls ``strip_refused`` and searches
for what is left. Writers of stored text (exports) also call ``strip_refused`` so that rows
written before this rule existed never crash a download.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

# C0 (minus what multi-line text keeps), DEL, C1; bidi controls; surrogates; U+FFFE/U+FFFF.
_ALWAYS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff\ufffe\uffff"
REFUSED_MULTILINE = re.compile(f"[{_ALWAYS}]")
REFUSED_SINGLE_LINE = re.compile(f"[{_ALWAYS}\t\n\r]")
# A lone \r (not followed by \n) is not a line break any browser sends; \r\n is.
_LONE_CR = re.compile(r"\r(?!\n)")
_ORDINARY_SPACE = " \t\n\r\u3000"


def find_refused(value: str, *, multiline: bool) -> str | None:
    """The first refused character in ``value`` (after stripping the ends), or None."""
    # Only ordinary whitespace: str.strip() would also drop \x1c-\x1f and \x85 at the ends.
    text = value.strip(_ORDINARY_SPACE)
    if multiline:
        match = REFUSED_MULTILINE.search(text) or _LONE_CR.search(text)
    else:
        match = REFUSED_SINGLE_LINE.search(text)
    return match.group() if match else None


def refusal_message(char: str, *, field_label: str) -> str:
    """「证件号」含有不可见的控制字符（U+0001），请删除后重新输入。"""
    if char in "\t\n\r":
        return _("「%(f)s」只能填一行，不能含有换行或制表符（U+%(c)04X），请删除后重新输入。") % {
            "f": field_label, "c": ord(char)}
    return _("「%(f)s」含有不可见的控制字符（U+%(c)04X），请删除后重新输入。") % {"f": field_label, "c": ord(char)}


def check_text(value: str, *, multiline: bool, field_label: str) -> str | None:
    """The Chinese message if ``value`` holds a refused character, else None (the value is fine)."""
    if not value:
        return None
    char = find_refused(value, multiline=multiline)
    return None if char is None else refusal_message(char, field_label=field_label)


def strip_refused(value: str, *, multiline: bool = True) -> str:
    """``value`` without the refused characters: for search boxes, exports and the cleaning migration."""
    pattern = REFUSED_MULTILINE if multiline else REFUSED_SINGLE_LINE
    return pattern.sub("", value) if pattern.search(value) else value


# --- rows stored before the rule ------------------------------------------------------------------

def clean_value(value: str, *, multiline: bool) -> str:
    """A stored value without refused characters; in a single-line field a line break becomes a space."""
    if not multiline and ("\t" in value or "\n" in value or "\r" in value):
        value = re.sub(r"\s*[\t\r\n]+\s*", " ", value).strip(_ORDINARY_SPACE)
    return strip_refused(value, multiline=multiline)


def clean_stored_text(model, *, only=None, batch_size: int = 2000) -> int:
    """Remove refused characters from every text field of every row of ``model``; the rows changed.

    For the data migrations (ledger 0008, progress 0003, org 0003): reads the text columns in
    batches (``iterator``), writes only the rows that change, each with ``filter(pk=...).update()``
    (no ``save()``: no version bump, no timestamps, no signals). Encrypted fields (binary) are not
    text and are left alone; they were validated by shape when written.
    """
    from django.db import models

    fields = [f for f in model._meta.concrete_fields
              if isinstance(f, (models.CharField, models.TextField)) and not f.primary_key
              and (only is None or f.name in only)]
    if not fields:
        return 0
    multiline = {f.attname: isinstance(f, models.TextField) for f in fields}
    names = [f.attname for f in fields]
    changed = 0
    rows = model._base_manager.order_by("pk").values_list("pk", *names).iterator(chunk_size=batch_size)
    for pk, *values in rows:
        update = {}
        for name, value in zip(names, values):
            if value:
                cleaned = clean_value(value, multiline=multiline[name])
                if cleaned != value:
                    update[name] = cleaned
        if update:
            model._base_manager.filter(pk=pk).update(**update)
            changed += 1
    return changed


def clean_models(apps, app_label: str, model_names) -> dict[str, int]:
    """``clean_stored_text`` over models of one app in a migration, one audit entry per model cleaned.

    ``model_names`` is a list of names, or a dict name → the fields to clean (None: all text fields).
    """
    from gaizao.core import audit
    from gaizao.core.actors import SYSTEM

    cleaned = {}
    fields_of = model_names if isinstance(model_names, dict) else dict.fromkeys(model_names)
    for name, fields in fields_of.items():
        model = apps.get_model(app_label, name)
        count = clean_stored_text(model, only=fields)
        if count:
            cleaned[name] = count
            audit.record(actor=SYSTEM, action="text.clean_control_characters",
                         object_type=model._meta.label_lower, changes={"rows": count})
    return cleaned
