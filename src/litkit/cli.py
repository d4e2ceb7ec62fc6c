"""The ``litkit`` command: dois, cites, init, add-article, resolve, fetch, build, audit, report,
export.

Exit status (the README has the table, command by command): 0 when all went well; 1 when
an input is missing or invalid, some requested DOIs are not in the cache afterwards, the
Crossref server cannot be reached, the cache cannot be used, or a step failed (the message
says which and why, every problem at once); 2 for usage errors (an option's value, a
``--from`` file that is not text); 130 when interrupted.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from litkit import __version__
from litkit.config import DEFAULT_CROSSREF_URL as DEFAULT_BASE_URL
from litkit.config import IDCONV_URL_VARIABLE, MAILTO_VARIABLE, URL_VARIABLE, Paths
from litkit.doi import iter_dois
from litkit.errors import LitkitError, NotTextError, RawDataError, UsageError
from litkit.textfile import iter_text, read_text
from litkit.vocabulary import AUDIT_VERDICTS as VERDICTS
from litkit.vocabulary import RESOLVE_STATUSES, SOURCE_KINDS

if TYPE_CHECKING:  # imported where used: `litkit report` starts faster without them
    from litkit.crossref.api import Limits

EXIT_OK, EXIT_INCOMPLETE, EXIT_USAGE = 0, 1, 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="litkit", description="How well are a health article's claims backed by what it cites?"
    )
    parser.add_argument("--version", action="version", version=f"litkit {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    dois = commands.add_parser("dois", help="print the DOIs found in text, HTML or Markdown files")
    dois.add_argument("files", nargs="+", type=Path, metavar="FILE")

    cites = commands.add_parser(
        "cites", help="print the scholarly works text, HTML or Markdown files cite, as CSV"
    )
    cites.add_argument("files", nargs="+", type=Path, metavar="FILE")

    fetch = commands.add_parser("fetch", help="fetch Crossref records into the cache")
    fetch.add_argument(
        "dois",
        nargs="*",
        metavar="DOI",
        help="DOIs to fetch (default: those in data/raw/citations.csv)",
    )
    fetch.add_argument(
        "--from",
        dest="from_file",
        type=Path,
        metavar="FILE",
        help="a text file (one DOI a line) or a CSV with a 'doi' column",
    )
    _root_option(fetch)
    fetch.add_argument(
        "--cache",
        type=Path,
        metavar="DIR",
        help="cache folder (default: data/raw/crossref under the root)",
    )
    _crossref_options(
        fetch,
        offline="make no request; report what is not cached",
        refresh="fetch again DOIs already cached",
    )
    fetch.add_argument(
        "--batch-size",
        type=positive_int,
        metavar="N",
        help="the most DOIs per list request (default: as many as fit in a"
        " URL of about 4,000 bytes, about 100)",
    )
    fetch.add_argument(
        "--single-rate",
        type=positive_float,
        metavar="PER_S",
        help="single-record requests per second",
    )
    fetch.add_argument(
        "--list-rate", type=positive_float, metavar="PER_S", help="list requests per second"
    )
    fetch.add_argument(
        "--concurrency", type=positive_int, metavar="N", help="requests in flight at once"
    )

    resolve = commands.add_parser(
        "resolve", help="look up DOIs of cited works known by PII, PMID, PMCID or printed reference"
    )
    _root_option(resolve)
    _crossref_options(
        resolve,
        offline="make no request; say what is not resolved yet",
        refresh="ask again about works resolved or found missing before",
    )
    resolve.add_argument(
        "--idconv-url",
        metavar="URL",
        type=http_url,
        help=f"NCBI ID converter (default: ${IDCONV_URL_VARIABLE} or NCBI's)",
    )
    resolve.add_argument(
        "--min-score",
        type=float,
        default=50.0,
        help="lowest Crossref score a printed reference's match may have (default 50)",
    )

    init = commands.add_parser("init", help="make a new project folder")
    init.add_argument("folder", type=Path, metavar="DIR")
    init.add_argument("--title", default="", help="the report's title")
    init.add_argument("--intervention", default="", help="what the articles' claims are about")
    init.add_argument("--topic", default="", help="the condition or question")
    init.add_argument("--articles", default="", help="one sentence on the articles")

    add = commands.add_parser(
        "add-article",
        help="add an article (HTML, Markdown or text) with draft citations and claims",
    )
    add.add_argument("source", type=Path, metavar="SOURCE")
    add.add_argument(
        "--id", dest="article_id", required=True, metavar="ID", help="the article's id"
    )
    _root_option(add)
    add.add_argument("--url", help="where the article was published (default: from the page)")
    add.add_argument("--title", help="the article's title (default: from the page)")
    add.add_argument("--kind", default="other", help=f"kind of source ({', '.join(SOURCE_KINDS)})")
    add.add_argument("--accessed", metavar="YYYY-MM-DD", help="when it was read (default: today)")

    build = commands.add_parser("build", help="write the processed tables")
    _root_option(build)

    audit = commands.add_parser(
        "audit", help="check each citation against its Crossref record (also run by build)"
    )
    _root_option(audit)

    report = commands.add_parser(
        "report",
        help="build, draw the figures, execute the notebooks and render them to HTML, "
        "write the report's pages and the exports",
    )
    report.add_argument(
        "--root",
        dest="roots",
        action="append",
        type=Path,
        metavar="DIR",
        help="project folder (default: the current project); repeat it to make several "
        "projects' reports at once",
    )

    export = commands.add_parser(
        "export",
        help="write reports/exports: the works as BibTeX, RIS and CSL-JSON, every "
        "table in one Excel workbook (also run by report)",
    )
    _root_option(export)
    return parser


def positive_int(text: str) -> int:
    """An option's value that must be a whole number of 1 or more."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be a whole number of 1 or more, not {text!r}")
    return value


def positive_float(text: str) -> float:
    """An option's value that must be a number above 0 (a rate)."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be a number above 0, not {text!r}")
    return value


def http_url(text: str) -> str:
    """An option's value that must be an http(s) URL with a host."""
    from litkit.crossref.api import check_http_url

    try:
        return check_http_url(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _crossref_options(parser: argparse.ArgumentParser, *, offline: str, refresh: str) -> None:
    """The options of a command that asks Crossref: where, who asks, and whether to ask."""
    parser.add_argument(
        "--base-url",
        metavar="URL",
        type=http_url,
        help=f"Crossref API base URL (default: ${URL_VARIABLE} or {DEFAULT_BASE_URL})",
    )
    parser.add_argument(
        "--mailto",
        metavar="EMAIL",
        help=f"contact address for Crossref's polite pool (default: ${MAILTO_VARIABLE})",
    )
    parser.add_argument("--offline", action="store_true", help=offline)
    parser.add_argument("--refresh", action="store_true", help=refresh)


def _root_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, metavar="DIR", help="project folder (default: the current project)"
    )


def run_dois(args: argparse.Namespace) -> int:
    """Print each DOI once, in order of first appearance, as the files are read in chunks.

    A file that cannot be opened (missing, a folder, unreadable) is a usage error (2); one
    that is not UTF-8 text is skipped with a warning (1); one with no DOI gets a warning but
    is no failure (0). The reading (:mod:`litkit.textfile`) says which, naming the file.
    """
    seen: set[str] = set()
    status = EXIT_OK
    for path in args.files:
        found = 0
        try:
            for doi in iter_dois(iter_text(path, label=str(path))):
                found += 1
                if doi not in seen:
                    seen.add(doi)
                    print(doi)
        except NotTextError as exc:
            print(f"litkit dois: warning: {exc}; skipped", file=sys.stderr)
            status = max(status, EXIT_INCOMPLETE)
            continue
        except RawDataError as exc:  # raised on opening, before any text was read
            print(f"litkit dois: {exc}", file=sys.stderr)
            status = EXIT_USAGE
            continue
        if not found:
            print(f"litkit dois: warning: {path}: no DOI found", file=sys.stderr)
    return status


def run_cites(args: argparse.Namespace) -> int:
    from litkit.articles.extract import read_document
    from litkit.articles.identifiers import identifiers_in_document, unique

    found = []
    for path in args.files:
        document = read_document(path)
        found += identifiers_in_document(document.text, document.links)
    writer = csv.writer(sys.stdout, lineterminator="\n")
    writer.writerow(["type", "identifier", "url"])
    writer.writerows((f.type, f.identifier, f.url) for f in unique(found))
    return EXIT_OK


def dois_from_file(path: Path) -> list[str]:
    """The DOIs a ``--from`` file asks for: a CSV's ``doi`` column, or one DOI a line."""
    try:
        text = read_text(path, label=str(path))
    except RawDataError as exc:  # not text (binary, UTF-16, another encoding) or unreadable
        raise UsageError(f"--from {exc}") from None
    first = text.splitlines()[0] if text.strip() else ""
    if path.suffix.lower() == ".csv" or "doi" in [h.strip().lower() for h in first.split(",")]:
        rows = csv.DictReader(text.splitlines())
        column = next((h for h in rows.fieldnames or [] if h.strip().lower() == "doi"), None)
        if column is None:
            raise UsageError(f"{path}: a CSV needs a 'doi' column (header: {first})")
        return [row[column].strip() for row in rows if (row[column] or "").strip()]
    lines = (line.strip() for line in text.splitlines())
    return [line for line in lines if line and not line.startswith("#")]


def _requested_dois(args: argparse.Namespace, paths: Paths) -> list[str]:
    requested = list(args.dois)
    if args.from_file:
        requested += dois_from_file(args.from_file)
    if not requested:  # the default: cited and best-evidence DOIs (claims need not be valid)
        from litkit.pipeline import dois_to_fetch

        requested = dois_to_fetch(paths)
    return requested


def _limits(args: argparse.Namespace, pool: Limits) -> Limits:
    """The pool's limits, with any the options set instead."""
    return dataclasses.replace(
        pool,
        single_per_second=args.single_rate or pool.single_per_second,
        list_per_second=args.list_rate or pool.list_per_second,
        concurrency=args.concurrency or pool.concurrency,
    )


def _say(message: str) -> None:
    print(f"litkit fetch: {message}", file=sys.stderr, flush=True)


def run_fetch(args: argparse.Namespace) -> int:
    from litkit.crossref.api import CrossrefApi
    from litkit.crossref.cache import CrossrefCache
    from litkit.crossref.fetch import Fetcher

    paths = Paths(args.root)
    api = CrossrefApi.configured(args.base_url, args.mailto)
    requested = _requested_dois(args, paths)
    fetcher = Fetcher(
        CrossrefCache(args.cache or paths.crossref_cache),
        api=api,
        batch_size=args.batch_size,
        limits=_limits(args, api.limits),
        notify=_say,
    )
    report = fetcher.fetch(requested, refresh=args.refresh, offline=args.offline)
    for outcome in report.problems() + report.notes():
        print(f"{outcome.doi}: {outcome.status}: {outcome.reason}", file=sys.stderr)
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_INCOMPLETE


def run_resolve(args: argparse.Namespace) -> int:
    from litkit.crossref.api import CrossrefApi
    from litkit.crossref.cache import CrossrefCache
    from litkit.crossref.resolve import Resolver, wanted, write_resolved
    from litkit.raw import read_articles, read_citations, read_resolved

    paths = Paths(args.root)
    articles = read_articles(paths.articles)
    items = wanted(read_citations(paths.citations, articles=articles))
    resolver = Resolver(
        cache=CrossrefCache(paths.crossref_cache),
        api=CrossrefApi.configured(args.base_url, args.mailto),
        idconv_url=args.idconv_url,
        min_score=args.min_score,
    )
    rows = resolver.resolve(
        items, previous=read_resolved(paths.resolved), offline=args.offline, refresh=args.refresh
    )
    if rows:
        write_resolved(paths.resolved, rows)
    asked = {(w.type, w.identifier) for w in items}
    mine = [r for r in rows if (r["type"], r["identifier"]) in asked]
    for row in mine:
        if row["status"] != "resolved":
            print(
                f"{row['type']} {row['identifier']}: {row['status']}: {row['reason']}",
                file=sys.stderr,
            )
    counts = {s: sum(r["status"] == s for r in mine) for s in RESOLVE_STATUSES}
    print(
        ", ".join(f"{s} {n}" for s, n in counts.items() if n) or "nothing to resolve",
        f"({paths.resolved})" if rows else "",
    )
    return EXIT_INCOMPLETE if counts["unresolved"] or counts["failed"] else EXIT_OK


def run_init(args: argparse.Namespace) -> int:
    from litkit.project import Project, init_project

    project = Project(
        title=args.title, intervention=args.intervention, topic=args.topic, articles=args.articles
    )
    written = init_project(args.folder, project=project)
    print(f"made {args.folder}: {len(written)} files")
    if project.missing():
        print(f"next: fill in {', '.join(project.missing())} in {args.folder / 'litkit.toml'}")
    print(f"then: litkit add-article SOURCE --id ID --root {args.folder}")
    return EXIT_OK


def run_add_article(args: argparse.Namespace) -> int:
    from litkit.articles.add import add_article

    added = add_article(
        args.source,
        paths=Paths(args.root),
        article_id=args.article_id,
        url=args.url,
        title=args.title,
        kind=args.kind,
        accessed=args.accessed,
    )
    print(added.summary())
    return EXIT_OK


def run_build(args: argparse.Namespace) -> int:
    from litkit.pipeline import build

    for name, path in build(Paths(args.root)).items():
        print(f"wrote {name}: {path}")
    return EXIT_OK


def run_audit(args: argparse.Namespace) -> int:
    from litkit.pipeline import build
    from litkit.processed import read_processed

    paths = Paths(args.root)
    written = build(paths)
    audit = read_processed("citation_audit", paths=paths)
    for row in audit.itertuples():
        where = f"{row.article_id}{row.ref_no}" if row.role == "cited" else "best evidence"
        print(f"{where} {row.doi}: {row.verdict}: {row.reasons}")
    counts = audit["verdict"].value_counts()
    print(
        ", ".join(f"{v} {counts[v]}" for v in VERDICTS if v in counts)
        + f"; written to {written['citation_audit']}"
    )
    return EXIT_OK


def run_report(args: argparse.Namespace) -> int:
    projects = [Paths(root) for root in args.roots or [None]]
    folders = [paths.root.resolve() for paths in projects]
    if len(set(folders)) < len(folders):
        raise UsageError("each --root must be a different project folder")
    # The kernels start first: each then spends a second or more starting Python and
    # importing pandas and matplotlib, while this process imports what builds the tables
    # and renders the pages (kernels imports only jupyter_client).
    from litkit.report.kernels import kernel_folders, started_kernels

    with started_kernels(kernel_folders(projects)) as kernels:
        # jsonschema, which nbformat imports, imports rfc3987-syntax where it is installed
        # (JupyterLab's dependencies bring it), and that compiles a grammar of IRIs on
        # import: 2.5 s, a third of a report. The report validates notebooks, whose schema
        # checks no IRI, so it tells Python the module is absent; jsonschema then skips
        # that one format.
        sys.modules.setdefault("rfc3987_syntax", None)
        from litkit.report.render import make_reports

        written = make_reports(projects, say=print, kernels=kernels)
    opened = " and ".join(str(paths.reports / "index.html") for paths in projects)
    print(f"wrote {len(written)} files; open {opened}")
    return EXIT_OK


def run_export(args: argparse.Namespace) -> int:
    from litkit.pipeline import build
    from litkit.report.export import write_exports

    paths = Paths(args.root)
    build(paths)
    for path in write_exports(paths):
        print(f"wrote {path}")
    return EXIT_OK


COMMANDS = {
    "dois": run_dois,
    "cites": run_cites,
    "init": run_init,
    "resolve": run_resolve,
    "add-article": run_add_article,
    "fetch": run_fetch,
    "build": run_build,
    "audit": run_audit,
    "report": run_report,
    "export": run_export,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except UsageError as exc:
        print(f"litkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except LitkitError as exc:
        print(f"litkit {args.command}: {exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    except OSError as exc:  # the file system refused: disk full, no permission, read-only
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"litkit {args.command}: {where}{exc.strerror or exc}", file=sys.stderr)
        return EXIT_INCOMPLETE
    except KeyboardInterrupt:
        kept = {"fetch": "; finished records are kept", "report": "; the last good report is kept"}
        print(f"litkit {args.command}: interrupted{kept.get(args.command, '')}", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
