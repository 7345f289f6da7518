"""The ``build_release`` flow: inbox → batches → tables → enrichment → validation → release.

Each task is a thin call into ``pipeline``; ``flows.overlap`` runs the steps that can go
side by side, and ``flows.runtime`` tunes the process for a build. Work is scheduled per
batch of files (a few MB of text), never per paragraph: Prefect's cost per task in a
process runner is worth paying only for about a second of work.
"""

# This module is how every build starts (the command line, served and deployed runs, the
# benchmarks): Prefect's offline settings and pyarrow's allocator come first.
from flows import runtime

runtime.offline_prefect()
runtime.load_arrow()

# No ``from __future__ import annotations`` here: Prefect builds the flow's parameter model
# from these annotations, and a served run that loads this module by entrypoint cannot
# resolve them from strings.
import concurrent.futures  # noqa: E402
import contextlib  # noqa: E402
import dataclasses  # noqa: E402
import datetime as dt  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402

import pyarrow as pa  # noqa: E402
from prefect import flow, get_run_logger, task  # noqa: E402
from prefect.artifacts import create_markdown_artifact  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402
from prefect.context import FlowRunContext  # noqa: E402
from prefect.settings import PREFECT_FLOWS_HEARTBEAT_FREQUENCY, temporary_settings  # noqa: E402
from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner  # noqa: E402
from prefect.utilities.annotations import quote  # noqa: E402
from pydantic import BaseModel, Field  # noqa: E402

import flows  # noqa: E402
import pipeline  # noqa: E402
import schemas  # noqa: E402
from flows import download, overlap, previous_release, progress, runners  # noqa: E402
from flows.processing import plan_batches, process_batches, process_inbox, transient  # noqa: E402
from pipeline import incremental, ingest, process, records, validate  # noqa: E402
from pipeline.corpus import enrich, tokenize  # noqa: E402
from pipeline.corpus.enrich import EnrichConfig  # noqa: E402
from pipeline.corpus.tokenize import TokenizeConfig  # noqa: E402
from pipeline.ingest import IngestConfig  # noqa: E402
from pipeline.process import BuildConfig  # noqa: E402
from pipeline.release import describe, diff, jsonl, lock, parquet, store  # noqa: E402
from pipeline.release import report as release_report  # noqa: E402
from pipeline.text.clean import CleanConfig  # noqa: E402
from pipeline.text.normalize import NormalizeConfig  # noqa: E402
from schemas.layout import DATA_DIR, JSONL_NAME, PART_ROWS  # noqa: E402

#: The packages whose files are the code of a release (``describe.code_sha256``).
CODE = tuple(Path(package.__file__).parent for package in (pipeline, schemas, flows))


class RunParams(BaseModel):
    """Parameters of a build, validated by Prefect before the flow starts."""

    input_dir: Path = Field(Path("data/inbox"), description="Inbox folder, read recursively.")
    output_dir: Path = Field(Path("output"), description="Where releases/<id>/ and latest go.")
    batch_bytes: int = Field(4_000_000, gt=0, description="Target input bytes per processing task.")
    max_batch_files: int = Field(200, gt=0, description="Most files per processing task.")
    opencc_profile: str = Field("t2s", description="OpenCC conversion to simplified.")
    text_fields: list[str] = Field(default_factory=lambda: list(IngestConfig().text_fields),
                                   description="JSONL/CSV fields holding the text, first present wins.")
    rules_dirs: list[Path] = Field(default_factory=list, description="Folders of extra site rules, applied after the shipped ones.")
    segmenter: str = Field(default_factory=tokenize.default_engine,
                           description="Word segmenter: rjieba (jieba-rs) when installed, else jieba (the reference).")
    incremental: bool = Field(True, description="Carry unchanged documents over from the latest release.")
    wait_for_lock: float = Field(0.0, ge=0, description="Seconds to wait when another build holds the output folder.")
    take_lock: bool = Field(True, description="Hold the output folder's lock for the build; the command line "
                                              "holds it itself, before Prefect starts, and passes false.")
    keep: int | None = Field(None, ge=1, description="After the build, remove all releases but the newest KEEP "
                                                     "(never latest, never one a reader holds); None keeps all.")
    part_rows: int = Field(PART_ROWS, gt=0, description="Most rows in one Parquet part of a table "
                                                        "(data/<table>.parquet/part-NNNNN.parquet).")

    def enrich_config(self) -> EnrichConfig:
        return EnrichConfig()

    def build_config(self) -> BuildConfig:
        return BuildConfig(
            ingest=IngestConfig(text_fields=tuple(self.text_fields)),
            normalize=NormalizeConfig(opencc_profile=self.opencc_profile),
            clean=CleanConfig(rules_dirs=(CleanConfig().rules_dirs + tuple(self.rules_dirs))),
            tokenize=TokenizeConfig(engine=self.segmenter),
        )


@flow(name="build_release", task_runner=ThreadPoolTaskRunner(max_workers=2), validate_parameters=True)
def build_release(params: RunParams = RunParams()) -> dict:
    """Build, validate and publish a release of every document in the inbox.

    Returns the summary the command line prints: release path, row counts, rejects.
    """
    output = params.output_dir.resolve()
    holding = lock.exclusive(output, params.wait_for_lock) if params.take_lock else contextlib.nullcontext()
    with holding, runtime.building(), overlap.Background("build") as background:
        logger = get_run_logger()
        config, inbox = params.build_config(), params.input_dir.resolve()
        latest = previous_release.latest(output)
        # --full reads nothing of the latest release: not its index, not its manifest
        previous = previous_release.check(latest) if params.incremental else previous_release.Previous()
        # read while the inbox is processed
        previous_index = background.start(previous_release.read_enrich_index, previous.path)
        state = previous_release.current_index(previous, incremental.STATE)
        plan = plan_build(inbox, previous.path, state, config)
        # the layout is a setting too: other parts, other files, another release
        settings = describe.settings_sha256(incremental.fingerprints(config), params.enrich_config(), params.part_rows)
        code = describe.code_sha256(*CODE)
        if plan.same_inputs and previous_release.made_with(previous, settings, code):
            logger.info("nothing changed since release %s: the same inputs, settings and code; nothing published",
                        previous.release_id)
            prune_releases(output, params.keep)
            return previous_release.unchanged_summary(previous)
        # Imported while documents are processed (it takes seconds); not while planning, whose
        # reads of the previous release it would slow down, holding the interpreter lock.
        background.start(runtime.quiet_great_expectations)
        tables, terms, pages = process_and_assemble(plan, inbox, config, params, output)
        enrich_index = {name: previous_release.reusable(previous, name, *read)
                        for name, read in previous_index.result().items()}
        carried = plan.carried.tables["documents"].column("doc_id")
        enriched = enrich_tables(tables, params.enrich_config(), enrich_index, carried, quote(terms))
        del terms  # every speech's counts are in the terms index now, through validation
        hand_back = _handing_back(pages)
        hand_back()  # of the texts duplicates read: validation and writing read every row again
        index = _index(enriched, config)
        checked = validate_and_write(enriched.tables, index, plan.carried.tables, previous.path, output,
                                     part_rows=params.part_rows, release=hand_back)
        quarantined = None
        if not checked.report.success:
            # Only rows of some documents broke their expectations (anything else raised):
            # the release goes on without those documents, enriched and validated again,
            # since the other documents' duplicates and keywords may change without them.
            quarantined = quarantine_documents(tables, checked.report)
            tables = quarantined.tables
            # the first enrichment counted every speech's terms: none is counted again
            enriched = enrich_tables(tables, params.enrich_config(), enrich_index, carried,
                                     quote([enriched.index["terms"]]))
            index = _index(enriched, config)
            checked = validate_and_write(enriched.tables, index, plan.carried.tables, previous.path, output,
                                         quarantine=False, part_rows=params.part_rows, release=hand_back)
        if checked.ignored:
            previous_release.reusable(previous, jsonl.INDEX, None, checked.ignored)
        # the speeches changed since the latest release (previous rows the plan kept, or read again)
        speech_changes = _speech_changes(previous.path, plan, enriched.tables) if previous.path is not None else None
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        release_id = describe.release_id(now, enriched.tables)
        manifest = describe.manifest(release_id, now, enriched.tables, checked.report.to_dict(), config)
        if quarantined is not None:
            manifest["validation"]["quarantined"] = {"documents": len(quarantined.documents),
                                                     "failures": quarantined.failures}
        manifest["fingerprints"] = describe.fingerprints(enriched.tables, settings, code)
        manifest["enrichment"] = enriched.summary
        manifest["deduplication"] = {**params.enrich_config().dedup.describe(), "stats": enriched.summary["dedup"]}
        manifest["changes"] = plan.summary()
        changes = speech_changes.to_dict(previous.release_id, release_id) if speech_changes is not None else None
        if changes is not None:
            manifest["changes"]["speeches"] = changes["counts"]
        if latest is not None and params.incremental:
            manifest["previous_release"] = previous.describe()
        progress.current().stage("publish")
        # quote(): the manifest lists every input file; Prefect would walk its nodes looking for futures
        path = publish_release(output, release_id, enriched.tables, quote(manifest), checked.data_docs,
                               index=index if checked.data_files is None else None, data_files=checked.data_files,
                               changes=quote(changes), part_rows=params.part_rows)
        progress.current().done()
        logger.info("published %s", path)
        prune_releases(output, params.keep)
        return _summary(path, enriched.tables)


@task(cache_policy=NO_CACHE)
def prune_releases(output: Path, keep: int | None) -> None:
    """``store.prune``: all releases but the newest ``keep`` (None: nothing is removed),
    under the build lock this build holds."""
    if keep is None:
        return
    pruned = store.prune(output, keep)
    logger = get_run_logger()
    for name in pruned.removed:
        logger.info("removed release %s (--keep %d)", name, keep)
    for name in pruned.held:
        logger.info("kept release %s: a reader holds it", name)


def _handing_back(pages: records.MappedTables) -> Callable[[], None]:
    """What the corpus-wide steps call after each piece of their work: the pages of the
    mapped tables and the memory freed meanwhile go back to the system."""
    def hand_back() -> None:
        pages.release()
        runtime.give_back_memory()

    return hand_back


def _index(enriched: enrich.Enriched, config: BuildConfig) -> dict[str, pa.Table]:
    """The index tables a release keeps: enrichment's and the state of every input."""
    return {**enriched.index,
            incremental.STATE: incremental.state_table(enriched.tables, incremental.fingerprints(config))}


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=transient, cache_policy=NO_CACHE)
def plan_build(inbox: Path, previous: Path | None, state: pa.Table | None, config: BuildConfig) -> incremental.Plan:
    """Which files to process and which records to carry over from the latest release
    (whose ``state`` index says what it read); its tables are read while the inbox is
    hashed."""
    with overlap.Background("plan") as background:
        release = background.start(_read_release, previous) if state is not None else None
        plan = incremental.compare(ingest.inbox_files(inbox), inbox, state, incremental.fingerprints(config))
        return incremental.with_carried(plan, release.result()) if plan.keep else plan


def _speech_changes(previous: Path, plan: incremental.Plan, tables: dict[str, pa.Table]) -> diff.Changes:
    """The speeches added, removed and changed since the ``previous`` release: of the
    documents not carried over, whose previous rows the plan kept, or else of the whole
    release read again."""
    if plan.replaced is None:
        return diff.between(previous, tables)
    return diff.compare(plan.replaced, diff.without_documents(tables, plan.carried.tables["documents"].column("doc_id")))


def _read_release(previous: Path) -> dict[str, pa.Table]:
    return dict(zip(schemas.TABLES, overlap.map_all(lambda name: incremental.read_table(previous, name), schemas.TABLES)))


def process_and_assemble(plan: incremental.Plan, inbox: Path, config: BuildConfig, params: RunParams,
                         output: Path) -> tuple[dict[str, pa.Table], list[pa.Table], records.MappedTables]:
    """The tables of the release: the plan's files processed in batches on the flow's task
    runner, merged with the records carried over, held as mapped files (whose pages the
    last item hands back); and the term counts of the processed speeches, counted with
    their batches for keywords. Raises ``NothingToPublish`` when no input became a
    document: the latest release then stays latest."""
    runner = FlowRunContext.get().task_runner
    batches = plan_batches(plan.process, params.batch_bytes, params.max_batch_files, runners.parallelism(runner))
    terms = params.enrich_config().keywords  # counted by the workers: the flow then reads no token
    get_run_logger().info("%d file(s) to process in %d batch(es); %d document(s) carried over",
                          len(plan.process), len(batches), plan.carried.documents)
    # Workers in other processes leave their batches on disk rather than send them back.
    spill = None if isinstance(runner, ThreadPoolTaskRunner) else store.staging_path(output, "batches")
    # The assembled tables are files there, mapped (``assemble_tables``); the folder goes
    # once they are: on POSIX systems a mapping keeps its file's bytes until it is dropped.
    # A chunk of them is a Parquet row group: each group is written from one chunk, as is.
    pages = records.MappedTables(store.staging_path(output, "tables"), piece_rows=parquet.ROW_GROUP_ROWS)
    try:
        if isinstance(runner, ProcessPoolTaskRunner) and len(batches) > 1:
            # A subflow with a pool of its own, shut down when it returns: idle workers would
            # otherwise hold their memory through the corpus-wide steps. It sends no
            # heartbeats: it runs in this process, whose build run sends them, and a run
            # ends on its heartbeat thread's next tick.
            with temporary_settings(updates={PREFECT_FLOWS_HEARTBEAT_FREQUENCY: None}):
                results = process_inbox.with_options(task_runner=runner.duplicate())(batches, inbox, config, spill,
                                                                                      terms)
        else:
            results = process_batches(batches, inbox, config, spill, terms)
        progress.current().stage("enrich")
        # quote(): the batches hold every record; Prefect would walk them all looking for futures.
        tables = assemble_tables(quote([plan.carried, *results]), pages)
        runtime.give_back_memory()  # the sort's pieces and the batches' tables
        counted = process.terms_of(results)
    finally:
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)  # merged into sorted copies, or the build failed
        shutil.rmtree(pages.folder, ignore_errors=True)
    process.require_documents(tables)
    return tables, counted, pages


@task(cache_policy=NO_CACHE)
def assemble_tables(batches: list[process.Batch], pages: records.MappedTables) -> dict[str, pa.Table]:
    """``process.tables``, each table sorted into a file of ``pages`` a piece at a time and
    used mapped from there: what the corpus-wide steps hold of the release's rows is then
    file pages, which the system can drop and read again, instead of the flow's memory."""
    pages.folder.mkdir()
    return process.tables(batches, pages)


@task(cache_policy=NO_CACHE)
def enrich_tables(tables: dict, config: EnrichConfig, previous_index: dict, carried=None,
                  batch_terms=()) -> enrich.Enriched:
    """Keywords and duplicates of the whole release. Keywords, mostly Arrow work outside the
    interpreter lock, run on a thread beside duplicates, mostly Python loops.
    ``carried``: ids of the documents carried over from the release ``previous_index`` is of;
    ``batch_terms``: the term counts of the speeches processed, counted with their batches."""
    with runtime.switching_often(), overlap.Background("enrich") as background:
        ranking = background.start(enrich.keywords_of, tables, config, previous_index, carried, batch_terms)
        duplicates = enrich.duplicates_of(tables, config, previous_index, carried)
        return enrich.combine(ranking.result(), duplicates)


class Checked(BaseModel, arbitrary_types_allowed=True):
    """A validated release's report, its Data Docs, and its data files when they were
    written ahead (None: publishing writes them); ``ignored``: why the previous release's
    download index was not reused, if it was not. A report that failed (only rows of some
    documents, to be quarantined) comes with neither Data Docs nor data files."""

    report: validate.ValidationReport
    data_docs: Path | None
    data_files: Path | None
    ignored: str | None = None


@task(cache_policy=NO_CACHE)
def validate_and_write(tables: dict, index: dict, carried: dict, previous: Path | None, output: Path,
                       quarantine: bool = True, part_rows: int = PART_ROWS,
                       release: Callable[[], None] = lambda: None) -> Checked:
    """Validate the tables and write their data files side by side: Parquet, zlib and the
    download's child process work outside this process's interpreter lock.

    The rows are compared with the previous release meanwhile (what validation may skip,
    what the download may copy); the references suites, which need no comparison, run
    first. A failure raises ``ValidationFailed``, unless ``quarantine`` allows it and only
    rows of some documents failed (``ValidationReport.quarantinable``): then the failed
    report is returned, for the caller to quarantine those documents and validate again.
    Either way, nothing written meanwhile is left behind (the data files were those of the
    tables with the documents); when only writing fails, publishing writes the files
    itself, with its retries. ``release`` hands back the pages of mapped tables: called
    after each slice validated, each Parquet row group and piece of the download's tables
    written and each file closed, what this process holds of the rows read meanwhile goes
    back to the system's cache.
    """
    logger = get_run_logger()
    progress.current().stage("validate")
    data_docs, data_files = store.staging_path(output, "validation"), store.staging_path(output, "data")
    same_suites = validate.release_suites_sha256(previous) == validate.suites_digest()
    with overlap.Background("validate") as background:
        comparison = background.start(_compare, carried, tables, previous)
        writing = background.start(write_data_files, data_files, tables, index, comparison, part_rows, release)
        try:
            session = validate.Session(tables, data_docs, slice_checked=release)
            session.references()
            release()
            unchanged = comparison.result().unchanged
            session.rows(unchanged if same_suites else None)  # the rules changed: what passed the old ones is checked again
            release()
            report = session.report()
            if not (quarantine and report.quarantinable()):
                report.raise_for_failures()
        except BaseException:
            concurrent.futures.wait([writing, comparison])
            shutil.rmtree(data_files, ignore_errors=True)
            shutil.rmtree(data_docs, ignore_errors=True)
            raise
    ignored = comparison.result().ignored
    if not report.success:
        shutil.rmtree(data_files, ignore_errors=True)
        shutil.rmtree(data_docs, ignore_errors=True)
        return Checked(report=report, data_docs=None, data_files=None, ignored=ignored)
    if writing.exception() is not None:
        logger.warning("writing the data files ahead failed (%s); publishing writes them", writing.exception())
        shutil.rmtree(data_files, ignore_errors=True)
        return Checked(report=report, data_docs=data_docs, data_files=None, ignored=ignored)
    return Checked(report=report, data_docs=data_docs, data_files=data_files, ignored=ignored)


@task(cache_policy=NO_CACHE)
def quarantine_documents(tables: dict, report: validate.ValidationReport) -> validate.Quarantined:
    """``tables`` without the documents whose rows broke the row-level expectations of
    ``report``, each a ``failed_validation`` reject; ``NothingToPublish`` when no document
    is left."""
    out = validate.quarantine(tables, report)
    first = out.rejects.slice(0, 1).to_pylist()[0]
    get_run_logger().warning(
        "quarantined %d document(s) whose rows failed validation (rejects, reason failed_validation), e.g. %s: %s",
        len(out.documents), first["source_path"], first["detail"])
    process.require_documents(out.tables)
    return out


@dataclasses.dataclass(frozen=True)
class Comparison:
    """Per table, the rows exactly as the previous release holds them, and what the
    download may copy from it; None for a build that carried nothing over. ``ignored``:
    why the previous download's index could not be used."""

    unchanged: dict[str, pa.ChunkedArray] | None = None
    reuse: jsonl.Reuse | None = None
    ignored: str | None = None


def _compare(carried: dict[str, pa.Table], tables: dict[str, pa.Table], previous: Path | None) -> Comparison:
    if not carried["documents"].num_rows:
        return Comparison()
    unchanged = incremental.unchanged_rows(carried, tables)
    members, ignored = parquet.read_current_index(previous, jsonl.INDEX)
    if members is None:
        return Comparison(unchanged, ignored=ignored)
    speeches = jsonl.unchanged_speeches(tables, unchanged, carried["documents"].column("doc_id"))
    return Comparison(unchanged, jsonl.Reuse(previous / DATA_DIR / JSONL_NAME, members, speeches))


def write_data_files(folder: Path, tables: dict[str, pa.Table], index: dict[str, pa.Table],
                     comparison: concurrent.futures.Future, part_rows: int = PART_ROWS,
                     release: Callable[[], None] = lambda: None) -> Path:
    """``store.write_data_files``, side by side: the Parquet files on a thread while the
    download is written (once the ``comparison`` says what it may copy), and every file
    flushed and checksummed as soon as it is closed, while the others are written; the
    pages of mapped tables read for it are handed back (``release``) after each one, each
    row group and each piece of the download child's tables."""
    store.data_folder(folder, tables)
    with overlap.Background("data-files") as background:
        flushed: list[concurrent.futures.Future] = []

        def written(path: Path) -> None:
            release()
            flushed.append(background.start(store.flushed, folder, path))

        tables_written = background.start(parquet.write_tables, folder, tables, index, written, part_rows, release)
        members = download.write(tables, folder / DATA_DIR / JSONL_NAME, comparison.result().reuse, release)
        written(folder / DATA_DIR / JSONL_NAME)
        written(parquet.write_index(folder, jsonl.INDEX, members))
        tables_written.result()
    store.write_file_list(folder, [future.result() for future in flushed])
    return folder


@task(retries=2, retry_delay_seconds=[1, 5], retry_condition_fn=transient, cache_policy=NO_CACHE)
def publish_release(output_dir: Path, release_id: str, tables, manifest: dict, data_docs: Path,
                    index: dict | None = None, data_files: Path | None = None, changes: dict | None = None,
                    part_rows: int = PART_ROWS) -> Path:
    return store.write_release(output_dir, release_id, tables, manifest, index, data_docs, data_files, changes,
                               part_rows)


def _summary(path: Path, tables: dict[str, pa.Table]) -> dict:
    """What the command line prints, and the run's markdown artifact."""
    published = json.loads((path / "manifest.json").read_text(encoding="utf-8"))
    create_markdown_artifact(
        key="release-summary",
        markdown=release_report.summary_markdown(tables, published),
        description=f"speechcorpus release {published['release_id']}",
    )
    return {
        "published": True,
        "release_id": published["release_id"],
        "release_path": str(path),
        "row_counts": {name: t.num_rows for name, t in tables.items()},
        "rejects": tables["rejects"].select(["source_path", "reason"]).to_pylist(),
        "validation": _verdict(published["validation"]),
    }


def _verdict(validation: dict) -> str:
    """``passed``, and how many documents were quarantined for it, if any."""
    quarantined = validation.get("quarantined", {}).get("documents")
    return f"passed, {quarantined} document(s) quarantined (rejects: failed_validation)" if quarantined else "passed"
