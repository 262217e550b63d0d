"""Shared request helpers of the questionnaire area: uploaded files, file responses."""

from __future__ import annotations

import base64
import re
from typing import Any

from litestar import Request
from litestar.datastructures import UploadFile
from litestar.response import Response

from survey_service.errors import BadRequest, ItemError, PayloadTooLarge
from survey_service.questionnaire import translations
from survey_service.questionnaire.schema import Questionnaire
from survey_service.questionnaire.xlsform import XLSX_MEDIA_TYPE

MAX_UPLOAD_BYTES = 5_000_000


async def uploaded_file(request: Request[Any, Any, Any], field: str = "file") -> tuple[bytes, str]:
    """The bytes and file name of a multipart upload field; a located 400 when it is missing or empty."""
    form = await request.form()
    upload = form.get(field)
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise BadRequest("choose a file to upload", [ItemError(field, "choose a file to upload")])
    data = await upload.read()
    if not data:
        raise BadRequest("the file is empty", [ItemError(field, "the file is empty")])
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_UPLOAD_BYTES} bytes", [ItemError(field, "too large")])
    return data, upload.filename


async def carried_or_uploaded_file(request: Request[Any, Any, Any]) -> tuple[bytes, str]:
    """An uploaded file, or a workbook the import page carries from its check to its confirmation (base64 in
    the field ``workbook``, its name in ``filename``)."""
    form = await request.form()
    carried = form.get("workbook")
    if not isinstance(carried, str) or not carried:
        return await uploaded_file(request)
    try:
        data = base64.b64decode(carried, validate=True)
    except ValueError:
        message = "the workbook was damaged on the way: choose the file again"
        raise BadRequest(message, [ItemError("file", message)]) from None
    if len(data) > MAX_UPLOAD_BYTES:
        raise PayloadTooLarge(f"the file is larger than {MAX_UPLOAD_BYTES} bytes", [ItemError("file", "too large")])
    return data, str(form.get("filename") or "form.xlsx")


def download(content: bytes, filename: str, media_type: str) -> Response[bytes]:
    """A file download with a safe file name."""
    safe = re.sub(r"[^A-Za-z0-9._@-]", "_", filename)
    return Response(
        content=content,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{safe}"'},
    )


def translator_file(q: Questionnaire, slug: str, number: int, lang: str, file_format: str) -> Response[bytes]:
    """One language's strings of a version for a translator, as XLIFF 1.2 or XLSX."""
    name = f"{slug}-v{number}-{lang}"
    if file_format == "xliff":
        data = translations.export_xliff(q, lang, f"{slug}@{number}")
        return download(data, f"{name}.xlf", translations.XLIFF_MEDIA_TYPE)
    return download(translations.export_xlsx(q, lang), f"{name}.xlsx", XLSX_MEDIA_TYPE)
