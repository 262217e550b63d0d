"""The job functions, one per kind: each takes its context, reports progress, writes its file through
``ctx.output``/``ctx.keep`` and returns a short message. They call the same services as the pages, the
API and the command line; CPU-heavy steps run in a thread so that the heartbeat keeps beating."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

import anyio

from survey_service.domain.exports.services import export_to
from survey_service.domain.imports.services import check_import, import_in_batches
from survey_service.domain.reports import services as reports
from survey_service.domain.retention.services import apply as apply_retention
from survey_service.jobs.context import JobContext
from survey_service.results.exports import EXTENSIONS

JobFunction = Callable[[JobContext], Coroutine[Any, Any, str | None]]


async def report(ctx: JobContext) -> str | None:
    slug, fmt, lang = ctx.params["survey"], ctx.params["format"], ctx.params.get("lang", "fi")
    ctx.progress(step="reading responses")
    async with ctx.db.read() as session:
        inp = await reports.report_input(session, slug, lang)
    ctx.progress(rows_total=inp.wave.data.n, step="computing")
    made = await anyio.to_thread.run_sync(lambda: reports.make_report(inp, lambda step: ctx.progress(step=step)))
    ctx.progress(rows_done=inp.wave.data.n, step=f"writing {fmt.upper()}")
    body = await anyio.to_thread.run_sync(reports.report_bytes, made, fmt)
    part = await ctx.output(f"{slug}-report-{lang}.{fmt}")
    await anyio.Path(part).write_bytes(body)
    await ctx.keep(part)
    return None


async def export(ctx: JobContext) -> str | None:
    slug, fmt, labels = ctx.params["survey"], ctx.params["format"], ctx.params.get("labels")
    name = f"{slug}.{EXTENSIONS[fmt]}" if fmt != "ddi" else f"{slug}-ddi.xml"
    part = await ctx.output(name)
    ctx.progress(step="writing rows")
    n = await export_to(ctx.db, slug, fmt, part, labels, lambda done: ctx.progress(rows_done=done), ctx.actor)
    ctx.progress(rows_done=n, step="saving")
    await ctx.keep(part)
    return None


async def response_import(ctx: JobContext) -> str | None:
    slug, mode, suffix = ctx.params["survey"], ctx.params.get("mode", "import"), ctx.params["suffix"]
    ctx.progress(step="checking rows")
    async with ctx.db.read() as session:
        checked = await check_import(session, slug, ctx.input(f"input{suffix}"), mode=mode, actor=ctx.actor)
    n = len(checked.values)
    ctx.progress(rows_total=n, step="inserting rows")
    await import_in_batches(
        ctx.db, checked, ctx.input("input.inserted"), ctx.actor, lambda done: ctx.progress(rows_done=done)
    )
    return f"{n} responses imported into {slug}"


async def retention(ctx: JobContext) -> str | None:
    dry_run = bool(ctx.params.get("dry_run"))
    ctx.progress(step="deleting" if not dry_run else "counting")
    s = ctx.settings
    async with ctx.db.write() as session:
        r = await apply_retention(
            session,
            response_months=s.response_retention_months,
            partial_days=s.partial_retention_days,
            feedback_months=s.feedback_retention_months,
            dry_run=dry_run,
            actor=ctx.actor,
        )
    verb = "would delete" if dry_run else "deleted"
    return (
        f"{verb} {r.responses} complete and {r.partials} partial responses, {r.idempotency_keys} idempotency keys; "
        f"{'would purge' if dry_run else 'purged'} {r.feedback_cases} closed feedback texts"
    )


JOB_FUNCTIONS: dict[str, JobFunction] = {
    "report": report,
    "export": export,
    "response_import": response_import,
    "retention": retention,
}
