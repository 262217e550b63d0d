"""Commands of the annual results: plans and targets, population margins, response imports, reports,
exports and the synthetic demo."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

import click

from survey_service.cli.base import run_with_db
from survey_service.db.engine import Database
from survey_service.errors import DomainError

if TYPE_CHECKING:
    from survey_service.results.report import ReportInput
    from survey_service.results.schema import Report

T = TypeVar("T")


def run(work: Callable[[Database], Awaitable[T]]) -> T:
    """Run ``work`` with the configured database; a domain error ends the command with its messages."""
    try:
        return run_with_db(work)
    except DomainError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        for e in exc.errors:
            click.echo(f"  {e.item}: {e.message}", err=True)
        sys.exit(1)


# -- plans ----------------------------------------------------------------------------------------------


@click.group()
def plan() -> None:
    """Plan periods (e.g. an integration programme), their waves, baseline and targets."""


@plan.command("create")
@click.argument("slug")
@click.option("--name", required=True, help='Name, e.g. "Kaikkien Kouvola 2023–2025".')
@click.option("--start", "start", type=int, required=True, help="First year of the plan period.")
@click.option("--end", "end", type=int, required=True, help="Last year of the plan period.")
def plan_create(slug: str, name: str, start: int, end: int) -> None:
    """Create plan SLUG for the years START..END."""
    from survey_service.domain.plans.services import create_plan

    async def work(db: Database) -> str:
        async with db.write() as session:
            p = await create_plan(session, slug=slug, name=name, start_year=start, end_year=end)
            return f"plan {p.slug}: created ({p.start_year}–{p.end_year})"

    click.echo(run(work))


@plan.command("list")
def plan_list() -> None:
    """List plans with their waves (the baseline marked with *)."""
    from survey_service.domain.plans.services import baseline_of, list_plans, plan_waves

    async def work(db: Database) -> list[str]:
        lines = []
        async with db.read() as session:
            for p in await list_plans(session):
                base = await baseline_of(session, p)
                waves = [
                    f"{w.slug} ({w.year}){'*' if base and w.id == base.id else ''}"
                    for w in await plan_waves(session, p)
                ]
                lines.append(f"{p.slug}\t{p.name}\t{p.start_year}–{p.end_year}\t{', '.join(waves) or '-'}")
        return lines

    for line in run(work):
        click.echo(line)


@plan.command("add-wave")
@click.argument("plan_slug")
@click.argument("survey_slug")
def plan_add_wave(plan_slug: str, survey_slug: str) -> None:
    """Attach an existing survey wave to a plan."""
    from survey_service.domain.plans.services import add_wave

    async def work(db: Database) -> str:
        async with db.write() as session:
            s = await add_wave(session, plan_slug, survey_slug)
            return f"survey {s.slug}: wave of plan {plan_slug}"

    click.echo(run(work))


@plan.command("set-baseline")
@click.argument("plan_slug")
@click.argument("survey_slug")
def plan_set_baseline(plan_slug: str, survey_slug: str) -> None:
    """Name the wave that later waves are compared with (default: the plan's first wave)."""
    from survey_service.domain.plans.services import set_baseline

    async def work(db: Database) -> str:
        async with db.write() as session:
            s = await set_baseline(session, plan_slug, survey_slug)
            return f"plan {plan_slug}: baseline {s.slug}"

    click.echo(run(work))


@plan.group("target")
def plan_target() -> None:
    """Targets per indicator: a direction, or a share to reach by a year."""


@plan_target.command("set")
@click.argument("plan_slug")
@click.argument("item")
@click.option("--direction", type=click.Choice(["increase", "decrease"]), required=True)
@click.option("--value", type=float, default=None, help="Target share, 0-1 (e.g. 0.7), reached by --year.")
@click.option("--year", type=int, default=None, help="Year by which --value is to be reached.")
def plan_target_set(plan_slug: str, item: str, direction: str, value: float | None, year: int | None) -> None:
    """Set the target of indicator ITEM in plan PLAN_SLUG."""
    from survey_service.domain.plans.services import set_target

    async def work(db: Database) -> str:
        async with db.write() as session:
            t = await set_target(session, plan_slug, item, direction=direction, value=value, year=year)
            by = f", {t.value:g} by {t.year}" if t.value is not None else ""
            return f"plan {plan_slug}: target {t.item} {t.direction}{by}"

    click.echo(run(work))


@plan_target.command("remove")
@click.argument("plan_slug")
@click.argument("item")
def plan_target_remove(plan_slug: str, item: str) -> None:
    """Remove the target of indicator ITEM."""
    from survey_service.domain.plans.services import remove_target

    async def work(db: Database) -> str:
        async with db.write() as session:
            await remove_target(session, plan_slug, item)
            return f"plan {plan_slug}: target {item} removed"

    click.echo(run(work))


@plan_target.command("list")
@click.argument("plan_slug")
def plan_target_list(plan_slug: str) -> None:
    """List the plan's targets."""
    from survey_service.domain.plans.services import get_plan, targets_of

    async def work(db: Database) -> list[str]:
        async with db.read() as session:
            p = await get_plan(session, plan_slug)
            return [
                f"{t.item}\t{t.direction}" + (f"\t{t.value:g} by {t.year}" if t.value is not None else "")
                for t in await targets_of(session, p)
            ]

    for line in run(work):
        click.echo(line)


# -- weights --------------------------------------------------------------------------------------------


@click.group()
def weights() -> None:
    """Population margins for weighting (raking) a wave."""


@weights.command("set")
@click.argument("slug")
@click.argument("margins", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def weights_set(slug: str, margins: Path) -> None:
    """Set wave SLUG's margins from a CSV with columns variable,category,population."""
    from survey_service.domain.weighting.services import set_margins

    data = margins.read_bytes()

    async def work(db: Database) -> str:
        async with db.write() as session:
            m = await set_margins(session, slug, data)
            return f"survey {slug}: margins for {', '.join(m)} (raking)"

    click.echo(run(work))


@weights.command("clear")
@click.argument("slug")
def weights_clear(slug: str) -> None:
    """Remove wave SLUG's margins: its report becomes unweighted."""
    from survey_service.domain.weighting.services import clear_margins

    async def work(db: Database) -> str:
        async with db.write() as session:
            await clear_margins(session, slug)
            return f"survey {slug}: no margins (unweighted)"

    click.echo(run(work))


# -- responses ------------------------------------------------------------------------------------------


@click.group()
def responses() -> None:
    """Responses of a wave."""


@responses.command("import")
@click.argument("slug")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--mode",
    type=click.Choice(["import", "paper", "interview"]),
    default="import",
    show_default=True,
    help="How the answers were collected (recorded with every response).",
)
def responses_import(slug: str, file: Path, mode: str) -> None:
    """Import responses from a CSV or XLSX file: columns are question codes, values choice codes.

    Every row is checked like a web answer; any invalid row rejects the whole file and nothing is stored.
    """
    from survey_service.domain.imports.services import import_file

    async def work(db: Database) -> int:
        return await import_file(db, slug, file, mode=mode)

    click.echo(f"survey {slug}: {run(work)} responses imported")


# -- exports --------------------------------------------------------------------------------------------


@click.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "sav", "dta", "parquet", "ddi"]), required=True)
@click.option("--labels", default=None, help="Write choice labels in this language instead of codes.")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="File to write.")
@click.option("--free-text", is_flag=True, help="Include free-text answers (left out by default).")
@click.option("--pooled", is_flag=True, help="SLUG is a plan: every wave of it in one file, with the wave variable.")
def export(slug: str, fmt: str, labels: str | None, output: Path, free_text: bool, pooled: bool) -> None:
    """Export wave SLUG's responses (one row per response) or its DDI-Codebook 2.5 metadata (ddi); with
    --pooled, every wave of plan SLUG in one file (each row with its wave, year and weight).

    csv and xlsx come with a codebook (a sheet in xlsx; OUTPUT.codebook.csv beside a csv).
    """
    from survey_service.domain.exports.services import export_plan_to, export_to
    from survey_service.domain.plans.services import get_plan, plan_waves
    from survey_service.domain.questionnaires.services import definition_of
    from survey_service.domain.surveys.services import get_survey
    from survey_service.domain.weighting.services import get_margins
    from survey_service.results.exports import codebook_csv

    if pooled and free_text:
        raise click.UsageError("--free-text is for one wave's export, not --pooled")

    async def work(db: Database) -> int:
        if pooled:
            return await export_plan_to(db, slug, fmt, output, labels)
        return await export_to(db, slug, fmt, output, labels, free_text=free_text)

    n = run(work)
    if fmt == "csv":

        async def book(db: Database) -> bytes:
            async with db.read() as session:
                waves = (
                    await plan_waves(session, await get_plan(session, slug))
                    if pooled
                    else [await get_survey(session, slug)]
                )
                weighted = any([await get_margins(session, w) for w in waves])
                return codebook_csv(definition_of(waves[-1].version), weighted)

        output.with_name(output.name + ".codebook.csv").write_bytes(run(book))
    click.echo(f"{'plan' if pooled else 'survey'} {slug}: {n} responses written to {output}")


# -- reports --------------------------------------------------------------------------------------------


@click.command("report")
@click.argument("slug")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["json", "html", "pdf", "csv", "xlsx"]),
    default="json",
    show_default=True,
    help="json/html/pdf: the report; csv/xlsx: its result tables after disclosure control (open data).",
)
@click.option("--lang", type=click.Choice(["fi", "sv", "en"]), default="fi", show_default=True)
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="File (default: stdout).")
def report(slug: str, fmt: str, lang: str, output: Path | None) -> None:
    """The annual report of wave SLUG: weighted estimates, group gaps, change, targets, scales."""
    if fmt in ("pdf", "xlsx") and output is None:
        raise click.UsageError(f"--format {fmt} needs --output")
    from survey_service.domain.reports.services import make_report, report_input
    from survey_service.results.report import steps

    async def work(db: Database) -> ReportInput:
        async with db.read() as session:
            return await report_input(session, slug, lang)

    inp = run(work)
    if sys.stdout.isatty():
        with click.progressbar(length=steps(inp), label=f"report {slug}", file=sys.stderr) as bar:
            result = run_report(make_report, inp, lambda _step: bar.update(1))
    else:
        result = run_report(make_report, inp)
    data = render_report(result, fmt, output)
    if data is not None:
        if output is None:
            click.echo(data.decode(), nl=False)
        else:
            output.write_bytes(data)
    if output is not None:
        click.echo(f"survey {slug}: report written to {output}", err=True)


def run_report(make: Callable[..., Report], *args: object) -> Report:
    """A report, or the command's error messages and exit status 1."""
    try:
        return make(*args)
    except DomainError as exc:
        click.echo(f"error: {exc.detail}", err=True)
        for e in exc.errors:
            click.echo(f"  {e.item}: {e.message}", err=True)
        sys.exit(1)


def render_report(result: Report, fmt: str, output: Path | None) -> bytes | None:
    """The report in ``fmt`` as bytes (xlsx is written to ``output`` directly)."""
    import msgspec

    from survey_service.results import exports
    from survey_service.results.render import render_html, render_pdf

    if fmt == "json":
        return msgspec.json.format(msgspec.json.encode(result), indent=2) + b"\n"
    if fmt == "html":
        return render_html(result).encode()
    if fmt == "pdf":
        return render_pdf(result)
    if fmt == "csv":
        return exports.result_table_csv(result)
    assert output is not None
    exports.result_table_xlsx(result, output)
    return None


# -- demo -----------------------------------------------------------------------------------------------


@click.command("demo")
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to write the demo report (default: SURVEY_VAR_DIR/demo).",
)
def demo(output_dir: Path | None) -> None:
    """Create the synthetic demo plan (four waves of made-up answers) and write its latest report.

    Everything is labelled synthetic: the plan, the waves and a banner on every report page.
    """
    from survey_service.domain.plans.services import create_demo
    from survey_service.domain.reports.services import make_report, report_input
    from survey_service.results.render import render_html
    from survey_service.settings import get_settings

    folder = output_dir or get_settings().var_dir / "demo"

    async def work(db: Database) -> tuple[str, str, bool, dict[str, ReportInput]]:
        async with db.write() as session:
            plan, waves, created = await create_demo(session)
            name, last = plan.name, waves[-1].slug
        inputs = {}
        async with db.read() as session:
            for lang in ("fi", "en"):
                inputs[lang] = await report_input(session, last, lang)
        return name, last, created, inputs

    name, last, created, inputs = run(work)
    folder.mkdir(parents=True, exist_ok=True)
    for lang, inp in inputs.items():
        (folder / f"report-{lang}.html").write_text(render_html(run_report(make_report, inp)))
    click.echo(f"plan {name}: {'created' if created else 'exists'}")
    click.echo(f"report of {last}: {folder / 'report-fi.html'} and {folder / 'report-en.html'}")
    click.echo(f"staff view (sign in first): /staff/results/{last}/report?lang=en")


COMMANDS = (plan, weights, responses, export, report, demo)
