"""Staff API: import a CSV/XLSX file of responses into a wave (all rows or none)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Annotated

import anyio
from litestar import Controller, post
from litestar.datastructures import UploadFile
from litestar.di import NamedDependency
from litestar.params import FromPath, MultipartBody, Parameter

from survey_service.db.engine import Database
from survey_service.domain.auth.schemas import Staff
from survey_service.domain.auth.services import actor_of
from survey_service.domain.imports.schemas import Imported
from survey_service.domain.imports.services import import_file
from survey_service.errors import BadRequest
from survey_service.results.imports import MAX_FILE_BYTES

SUFFIXES = (".csv", ".xlsx", ".txt")


class ImportController(Controller):
    path = "/api/v1/surveys/{slug:str}/imports"
    tags = ("imports",)

    @post(
        "/",
        summary="Import responses from a CSV or XLSX file (multipart field 'file')",
        opt={"access": "surveys:write"},
        request_max_body_size=MAX_FILE_BYTES,
        status_code=201,
    )
    async def create(
        self,
        db: NamedDependency[Database],
        staff: NamedDependency[Staff],
        slug: FromPath[str],
        data: MultipartBody[dict[str, UploadFile]],
        mode: Annotated[str, Parameter(description="import | paper | interview")] = "import",
    ) -> Imported:
        upload = data.get("file")
        if upload is None:
            raise BadRequest("send the file in the multipart field 'file'")
        suffix = Path(upload.filename or "").suffix.lower()
        if suffix not in SUFFIXES:
            raise BadRequest("the file must be .csv or .xlsx")
        fd, name = tempfile.mkstemp(suffix=suffix)
        os.close(fd)
        try:
            await anyio.Path(name).write_bytes(await upload.read())
            n = await import_file(db, slug, Path(name), mode=mode, actor=actor_of(staff))
        finally:
            os.unlink(name)
        return Imported(survey=slug, imported=n, mode=mode)
