"""The ``framescope`` command: import articles, compare outlets, export, follow jobs.

Exit codes (also in docs/client.md):

* 0 — done.
* 1 — the server refused the request (a 4xx answer; the one-line error names the field).
* 2 — usage error: bad arguments, or a file that cannot be read.
* 3 — the server could not be reached, timed out, or failed (5xx).
* 4 — ``import`` finished, but some records were skipped (the summary lists each, with its line).
* 130 — interrupted (Ctrl-C); ``import`` resumes where it stopped when run again.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import httpx

from framescope import __version__
from framescope.client import Client
from framescope.errors import FramescopeConnectionError, FramescopeError, ServerError
from framescope.importing import default_state_path, format_summary, run_import
from framescope.render import comparison_text, jobs_text
from framescope.sources import SourceError

OK, REFUSED, USAGE, UNAVAILABLE, PARTIAL, INTERRUPTED = 0, 1, 2, 3, 4, 130
EXPORT_FILTERS = ("outlet", "event", "language", "published_from", "published_to", "frame", "stance",
                  "target", "model_version")  # fmt: skip


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="framescope",
        description="Framescope from the command line: import articles, compare outlets, export, jobs.",
        epilog="Server and key: --url/--api-key or FRAMESCOPE_URL/FRAMESCOPE_API_KEY. Exit codes: 0 done, "
        "1 refused by the server, 2 usage, 3 server unreachable or failing, 4 import skipped some "
        "records, 130 interrupted.",
    )
    add_connection_options(parser, default=None)
    parser.add_argument("--version", action="version", version=f"framescope {__version__}")
    common = argparse.ArgumentParser(add_help=False)  # the same options also after the command
    add_connection_options(common, default=argparse.SUPPRESS)
    commands = _Commands(parser.add_subparsers(dest="command", required=True, metavar="COMMAND"), common)

    imp = commands.add_parser(
        "import", help="store articles from CSV, NDJSON/JSONL, JSON or a folder of .html"
    )
    imp.add_argument(
        "file", type=Path, help="a .csv, .ndjson, .jsonl or .json file, or a folder of .html pages"
    )
    imp.add_argument("--outlet", help="outlet for records without one (a folder of pages needs it)")
    imp.add_argument("--event", help="event for records without one")
    imp.add_argument("--rename", action="append", default=[], metavar="OLD=NEW", help="rename a column/field")
    imp.add_argument("--no-create-missing", action="store_true", help="refuse unknown outlets and events")
    imp.add_argument("--batch-size", type=int, default=500, help="articles per request (default 500)")
    imp.add_argument("--state", type=Path, help="resume file (default: one per file and server in the cache)")
    imp.add_argument("--restart", action="store_true", help="ignore an earlier run's progress")

    cmp = commands.add_parser("compare", help="compare outlets (or groups) on an event")
    cmp.add_argument("event", help="event key; several separated by commas, or 'all', pool events")
    cmp.add_argument("--group-by", help="outlet attribute to group outlets by (e.g. type)")
    cmp.add_argument("--format", choices=("table", "csv", "json"), default="table")
    cmp.add_argument(
        "--table", default="prevalence", help="the table --format csv writes (default prevalence)"
    )
    cmp.add_argument("--outlets", help="only these outlets (keys separated by commas)")
    cmp.add_argument("--target", help="stance target")
    cmp.add_argument("--model-version", help="labels of this model version")
    cmp.add_argument("--min-articles", type=int)
    cmp.add_argument("-o", "--output", type=Path, help="write to a file instead of standard output")

    exp = commands.add_parser("export", help="stream every matching article with its labels")
    for name in EXPORT_FILTERS:
        exp.add_argument("--" + name.replace("_", "-"), dest=name)
    exp.add_argument("--format", choices=("csv", "ndjson"), default="csv")
    exp.add_argument("-o", "--output", type=Path, help="file to write (default: standard output)")

    job = commands.add_parser("jobs", help="list, show, wait for or cancel background jobs")
    job.add_argument("action", nargs="?", choices=("list", "show", "wait", "cancel"), default="list")
    job.add_argument("id", nargs="?", type=int, help="job id (show, wait, cancel)")
    job.add_argument("--status", help="list: only jobs with this status")
    job.add_argument("--kind", choices=("classify", "export"), help="list: only this kind")
    return parser


def add_connection_options(parser: argparse.ArgumentParser, *, default: Any) -> None:
    parser.add_argument(
        "--url", default=default, help="server (default $FRAMESCOPE_URL or http://127.0.0.1:8000)"
    )
    parser.add_argument("--api-key", default=default, help="API key (default $FRAMESCOPE_API_KEY)")
    parser.add_argument(
        "--no-progress", action="store_true", default=default or False, help="no progress bars"
    )


class _Commands:
    """Sub-commands that also accept the connection options (``framescope jobs --url ...``)."""

    def __init__(self, subparsers: Any, common: argparse.ArgumentParser) -> None:
        self.subparsers, self.common = subparsers, common

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        return self.subparsers.add_parser(name, parents=[self.common], **kwargs)


def main(argv: Sequence[str] | None = None, *, transport: httpx.BaseTransport | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.command == "jobs" and args.action != "list" and args.id is None:
        parser.error(f"jobs {args.action} needs a job id")
    progress = False if args.no_progress else None
    client = Client(args.url, args.api_key, transport=transport, progress=progress)
    try:
        return COMMANDS[args.command](client, args, progress)
    except KeyboardInterrupt:
        hint = " Run the same command again to resume." if args.command == "import" else ""
        return fail("interrupted." + hint, INTERRUPTED)
    except (SourceError, OSError) as error:
        return fail(str(error), USAGE)
    except (FramescopeConnectionError, ServerError) as error:
        return fail(str(error), UNAVAILABLE)
    except FramescopeError as error:
        return fail(str(error), REFUSED)
    finally:
        client.close()


def fail(message: str, code: int) -> int:
    print(f"framescope: error: {message}", file=sys.stderr)
    return code


def import_command(client: Client, args: argparse.Namespace, progress: bool | None) -> int:
    renames = {}
    for pair in args.rename:
        old, sep, new = pair.partition("=")
        if not sep or not old or not new:
            return fail(f"--rename {pair!r}: use OLD=NEW", USAGE)
        renames[old] = new
    source: Path = args.file
    if source.is_dir() and not args.outlet:
        return fail(f"{source} is a folder of pages: say whose with --outlet KEY", USAGE)
    if args.batch_size < 1:
        return fail("--batch-size must be at least 1", USAGE)
    summary = run_import(
        client,
        source,
        state_path=args.state or default_state_path(source, client.base_url),
        defaults={"outlet": args.outlet, "event": args.event},
        renames=renames,
        create_missing=not args.no_create_missing,
        batch_size=args.batch_size,
        restart=args.restart,
        progress=progress,
    )
    print(format_summary(summary, source))
    return PARTIAL if summary.state.n_skipped else OK


def compare_command(client: Client, args: argparse.Namespace, _progress: bool | None) -> int:
    params: dict[str, Any] = {
        "group_by": args.group_by,
        "outlets": args.outlets,
        "target": args.target,
        "model_version": args.model_version,
        "min_articles": args.min_articles,
    }
    params = {k: v for k, v in params.items() if v is not None}
    if args.event == "all" or "," in args.event:
        path, params["events"] = "/v1/comparisons", args.event
    else:
        path = f"/v1/events/{args.event}/comparison"
    if args.format == "csv":
        text = client.http.request("GET", path, params={**params, "format": "csv", "table": args.table}).text
    else:
        body = client.http.json("GET", path, params=params)
        text = json.dumps(body, indent=2) + "\n" if args.format == "json" else comparison_text(body)
    write(text, args.output)
    return OK


def export_command(client: Client, args: argparse.Namespace, progress: bool | None) -> int:
    filters = {name: getattr(args, name) for name in EXPORT_FILTERS if getattr(args, name) is not None}
    show = progress if args.output else False  # never draw a bar over data on standard output
    n_bytes = client.articles.export(args.output, format=args.format, progress=show, **filters)
    if args.output:
        print(f"{args.output}: {n_bytes} bytes", file=sys.stderr)
    return OK


def jobs_command(client: Client, args: argparse.Namespace, progress: bool | None) -> int:
    if args.action == "list":
        filters = {k: v for k, v in (("status", args.status), ("kind", args.kind)) if v}
        print(jobs_text(list(client.jobs.iter(**filters))))
    elif args.action == "show":
        print(json.dumps(client.jobs.get(args.id), indent=2))
    elif args.action == "wait":
        print(json.dumps(client.jobs.wait(args.id, progress=progress), indent=2))
    else:
        job = client.jobs.cancel(args.id)
        print(f"job {job['id']}: {job['status']}")
    return OK


def write(text: str, output: Path | None) -> None:
    if output is None:
        sys.stdout.write(text)
    else:
        output.write_text(text, encoding="utf-8")


COMMANDS = {
    "import": import_command,
    "compare": compare_command,
    "export": export_command,
    "jobs": jobs_command,
}

if __name__ == "__main__":
    sys.exit(main())
