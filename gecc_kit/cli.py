"""The ``gecc-kit`` command: ``serve``, ``demo``, ``export``, ``summary``, ``workshop``, ``handouts``,
``worksheet``, ``reports``, ``slides`` and ``validate``.

Every sub-command calls the same package functions the notebooks use.
Errors are one clear sentence on stderr and a non-zero exit, never a traceback.
"""
from __future__ import annotations

import argparse
import os
import re
import sys
from collections import Counter
from pathlib import Path

from .criteria import load_standard
from .errors import CriteriaError, GeccError


def _cmd_validate(args) -> int:
    from .errors import shown

    def listed(problems) -> None:
        # Thai first, the English on the line below; a flood of one kind as a few and a count
        for p in shown(problems):
            print(f"  - {p.text_th()}", file=sys.stderr)
            if p.message_th:
                print(f"    {p.text_en()}", file=sys.stderr)

    def warned(warnings) -> None:
        if warnings:
            n = len(warnings)
            print(f"{args.file}: ข้อควรระวัง {n} ข้อ (ไฟล์ยังใช้ได้) / {n} warning(s) (the file is still accepted):", file=sys.stderr)
            listed(warnings)

    try:
        standard = load_standard(args.file)
    except CriteriaError as exc:
        n = len(exc.problems)
        print(f"{args.file}: ต้องแก้ {n} ปัญหา / {n} problem(s) to fix:", file=sys.stderr)
        listed(exc.problems)
        warned(exc.warnings)
        return 1
    per_factor = Counter(c.factor for c in standard.criteria)
    mandatory = sum(c.mandatory for c in standard.criteria)
    print(f"{Path(args.file).name}: OK (ใช้ได้)")
    print(f"  {standard.title_th}")
    if standard.fiscal_year:
        print(f"  ปีงบประมาณ / Fiscal year: {standard.fiscal_year}")
    print(f"  เกณฑ์ / Criteria: {len(standard.criteria)} (ข้อจำเป็น / mandatory: {mandatory})")
    for f in standard.factors:
        print(f"    {f.number}. {f.id:<11} {f.name_th}: {per_factor[f.id]}")
    levels = ", ".join(f"{lv.name_th} ({lv.name_en}) >= {lv.min_percent:g}%" for lv in standard.levels)
    print(f"  ระดับ / Levels: {levels}")
    if standard.illustrative:
        print(f"  หมายเหตุ / Note: {standard.notice_th} / {standard.notice_en}")
    warned(standard.warnings)
    return 0


def _cmd_serve(args) -> int:
    from .server import ServerConfig, check_public_url, check_replica, serve

    problem = check_public_url(args.public_url, args.base_url) if args.public_url else None
    if problem:
        print(f"gecc-kit serve: {problem}", file=sys.stderr)
        return 2

    config = ServerConfig(
        host=args.host,
        port=args.port,
        store_url=args.store,
        criteria=args.criteria,
        workshop=args.workshop,
        expect=args.expect,
        room=args.room,
        agenda=args.agenda,
        pre_test_first=not args.no_pre_test_first,
        max_kernels=args.max_kernels,
        cell_timeout=args.cell_timeout,
        debug=args.debug,
        disconnected_timeout=args.disconnected_timeout,
        public_url=args.public_url,
        prefix=args.base_url,
        replica=args.replica,
        trusted_proxies=tuple(args.trusted_proxy),
        **({"notebooks": Path(args.notebooks).resolve()} if args.notebooks else {}),
    )
    problem = check_replica(config)
    if problem:
        print(f"gecc-kit serve: {problem}", file=sys.stderr)
        return 2
    serve(config)  # replaces this process with Voilà
    return 0


def _cmd_demo(args) -> int:
    from .practice import seed_demo
    from .quiz import load_questions
    from .store import Store

    standard = load_standard(args.criteria)
    store = Store(args.store)
    created = seed_demo(store, args.workshop, standard, load_questions())
    code = created[0].workshop_code if created else args.workshop
    print(f"Workshop {code}: added {len(created)} fictional sample units with full answers and knowledge checks.")
    for p in created:
        print(f"  {p.table_label or '-':<8} {p.display_name}")
    print(f"Store: {store.url if store.is_sqlite else store.engine.url.render_as_string(hide_password=True)}")
    return 0


def _cmd_export(args) -> int:
    from .export import results_tables, results_xlsx, summary_tables, write_csv
    from .quiz import load_questions
    from .store import Store

    out = Path(args.out)
    fmt = args.format or {".xlsx": "xlsx", "": "csv"}.get(out.suffix.lower())
    if fmt is None:
        raise GeccError(f"--out {out}: give a .xlsx file, or a folder for CSV files (one per sheet) with --format csv.")
    if fmt == "xlsx" and out.suffix.lower() != ".xlsx":
        raise GeccError(f"--out {out}: an XLSX workbook's name ends in .xlsx.")
    if fmt == "csv" and out.suffix:
        raise GeccError(f"--out {out}: CSV export writes a folder of files (one per sheet); give a folder name without an extension.")
    standard = load_standard(args.criteria)
    store = Store(args.store)
    room = store.room(args.workshop)
    sheets = (summary_tables if args.summary else results_tables)(standard, room, load_questions())
    what = "summary of" if args.summary else "personal data of"
    if fmt == "xlsx":
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(results_xlsx(sheets))
        print(f"Workshop {room.workshop.code}: {what} {len(room.participants)} participants written to {out}")
    else:
        paths = write_csv(sheets, out)
        print(f"Workshop {room.workshop.code}: {what} {len(room.participants)} participants written to {out}/ ({len(paths)} CSV files)")
    if args.summary:
        print("No names and no individual answers; groups under 3 are hidden: this file can go to executives.")
    else:
        print("Personal data (names and each person's answers): for the facilitator only. "
              "For executives: gecc-kit export --summary")
    for sheet in sheets:
        print(f"  {sheet.name:<17} {len(sheet.rows):>6} rows")
    return 0


def _be(value) -> str:
    """A timestamp as the facilitator reads it: local time, Buddhist-era year."""
    if value is None:
        return "-"
    from datetime import timezone

    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    local = value.astimezone()
    return f"{local.day:02d}/{local.month:02d}/{local.year + 543} {local:%H:%M}"


def _age(text: str):
    """``90d`` or ``12w`` (a plain number is days) as a timedelta."""
    from datetime import timedelta

    match = re.fullmatch(r"\s*(\d+)\s*([dw]?)\s*", text.lower())
    if not match or int(match.group(1)) <= 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not an age such as 90d or 12w")
    n = int(match.group(1))
    return timedelta(weeks=n) if match.group(2) == "w" else timedelta(days=n)


def _cmd_workshop(args) -> int:
    from .store import Store

    store = Store(args.store)
    if args.action == "purge":
        from datetime import datetime, timezone

        cutoff = datetime.now(timezone.utc) - args.older_than
        old = store.stale_workshops(args.older_than)
        if not old:
            print(f"No workshop without activity since {_be(cutoff)}.")
            return 0
        print(f"Workshops with no activity since {_be(cutoff)}: " + ", ".join(f"{w.code} ({w.participants} participants)" for w in old))
        if not args.yes:
            try:
                typed = input("Delete them and everything in them? It cannot be undone. Type yes to confirm: ")
            except EOFError:
                typed = ""
            if typed.strip().lower() != "yes":
                print("Not deleted.", file=sys.stderr)
                return 1
        for w in store.purge(args.older_than):
            print(f"Deleted workshop {w.code} ({w.participants} participants).")
        return 0
    if args.action == "list":
        rows = store.workshop_list()
        if not rows:
            print("No workshops in this store.")
            return 0
        print(f"{'code':<12} {'created (B.E.)':<17} {'participants':>12}  {'last activity (B.E.)':<17} title")
        for w in rows:
            print(f"{w.code:<12} {_be(w.created_at):<17} {w.participants:>12}  {_be(w.last_activity):<17} {w.title}")
        return 0
    # delete
    workshop = store.workshop(args.code)
    people = len(store.participants(workshop.code))
    if not args.yes:
        print(f"This deletes workshop {workshop.code} and everything in it: {people} participants, their answers,"
              f" plans, knowledge checks and table consensus. It cannot be undone.")
        try:
            typed = input(f"Type the code {workshop.code} to confirm: ")
        except EOFError:
            typed = ""
        if typed.strip().upper() != workshop.code:
            print("Not deleted.", file=sys.stderr)
            return 1
    deleted = store.delete_workshop(workshop.code)
    print(f"Deleted workshop {workshop.code} ({deleted} participants).")
    return 0


def _cmd_keys(args) -> int:
    from . import keys
    from .server import ServerConfig

    var_dir = Path(args.var).resolve() if args.var else ServerConfig().var_dir
    key = keys.rotate(var_dir)
    print(f"New facilitator key / รหัสวิทยากรใหม่:   {key}   (in {var_dir / keys.KEY_FILE})")
    print("Every old dashboard and table consensus link stops working now, also on a running server.")
    print("Open the dashboard with the new key (…/facilitator/dashboard.ipynb?w=CODE&key=NEW); its table links carry the new table keys.")
    return 0


def _print_outcome(built, what: str) -> None:
    for path in built.pdf or built.html:
        print(f"  {path}")
    print(f"{what}: {len(built.html)} HTML, {len(built.pdf)} PDF (A4)")


def _cmd_handouts(args) -> int:
    from .handouts import build_handouts
    from .printing import BrowserNotFound
    from .quiz import load_questions

    standard = load_standard(args.criteria)
    out = Path(args.out)
    try:
        built = build_handouts(out, standard, load_questions(), pdf=not args.html_only, browser=args.browser,
                               facilitator=args.facilitator)
    except BrowserNotFound as exc:
        built = build_handouts(out, standard, load_questions(), pdf=False, facilitator=args.facilitator)
        _print_outcome(built, "Handouts")
        print(f"gecc-kit: {exc}", file=sys.stderr)
        return NO_BROWSER
    _print_outcome(built, "Handouts")
    return 0


NO_BROWSER = 3  # exit code: the HTML was written, the PDFs were not (no browser to print with)


def _cmd_worksheet(args) -> int:
    from .handouts import build_worksheet
    from .printing import BrowserNotFound

    standard = load_standard(args.criteria)
    try:
        built = build_worksheet(Path(args.out), standard, browser=args.browser)
    except BrowserNotFound as exc:
        print(f"Worksheet HTML written to {Path(args.out).with_suffix('.html')}", file=sys.stderr)
        print(f"gecc-kit: {exc}", file=sys.stderr)
        return NO_BROWSER
    _print_outcome(built, f"Worksheet ({len(standard.criteria)} criteria)")
    return 0


def _cmd_reports(args) -> int:
    from .handouts import build_reports
    from .printing import BrowserNotFound
    from .store import Store

    standard = load_standard(args.criteria)
    room = Store(args.store).room(args.workshop)
    try:
        built = build_reports(Path(args.out), standard, room, browser=args.browser)
    except BrowserNotFound as exc:
        print(f"gecc-kit: {exc}", file=sys.stderr)
        return NO_BROWSER
    _print_outcome(built, f"Personal reports of workshop {room.workshop.code}")
    return 0


def _cmd_summary(args) -> int:
    from .analysis import summary_pdf
    from .printing import BrowserNotFound

    out = Path(args.out)
    try:
        html, pdf = summary_pdf(args.workshop, out, store=args.store, criteria=args.criteria, browser=args.browser)
    except BrowserNotFound as exc:
        print(f"gecc-kit: {exc}", file=sys.stderr)
        return NO_BROWSER
    print(f"สรุปผลการอบรม {args.workshop.strip().upper()} สำหรับผู้บริหาร / summary for executives: {pdf} (A4; HTML: {html})")
    print("ไม่มีชื่อและไม่มีคำตอบรายคน กลุ่มที่มีไม่ถึง 3 คนไม่แสดง / No names, no individual answers; groups under 3 are hidden.")
    return 0


def _cmd_slides(args) -> int:
    from .slides import build_slides

    built = build_slides(Path(args.out), join_url=args.join_url)
    for path in built:
        print(f"  {path}")
    print(f"Slides: {len(built)} deck(s); open the .slides.html file in a browser (works with no network).")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gecc-kit",
        description="GECC (ศูนย์ราชการสะดวก) workshop kit: serve the self-assessment, check criteria files.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("serve", help="start the workshop server (Voilà) and print the link to share")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on; 0.0.0.0 for a room (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8866, help="port (default 8866)")
    p.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help="SQLAlchemy URL of the store (default: SQLite var/gecc.sqlite)")
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file, CSV or XLSX (default: the illustrative sample)")
    p.add_argument("--workshop", default=None, help="workshop code to use or create (default: the latest, or a new one)")
    p.add_argument("--expect", type=int, default=0, metavar="N",
                   help="participants in the room for the day: N kernels are kept ready until they are in, then a few spares "
                        "(about 60 MiB per participant); start the server any time before the session")
    p.add_argument("--no-pre-test-first", action="store_true",
                   help="every step opens at once, before the pre-test is done (a session without a pre-test); by default "
                        "the background and the factors open once a participant has answered the pre-test, whose answers they hold")
    p.add_argument("--agenda", choices=("full", "half"), default="full",
                   help="the plan of the day (data/agenda.csv) the welcome page shows: full day, or half day with the "
                        "self-assessments as pre-work (default full)")
    p.add_argument("--room", type=int, default=0, metavar="N",
                   help="with --replica: participants of the whole session on every replica (default: --expect). One "
                        "address (an office behind one NAT) may hold this many pages here, so a lost replica's people "
                        "can all move to this one")
    p.add_argument("--max-kernels", type=int, default=None, metavar="M",
                   help="most kernels at once; more visitors get a Thai 'room is full, please wait' page (default: what 3/4 of the free memory holds)")
    p.add_argument("--notebooks", default=None, help="folder of notebooks to serve (default: the kit's notebooks/)")
    p.add_argument("--cell-timeout", type=int, default=120, metavar="S",
                   help="a page whose building takes longer than S seconds gets the Thai error page (default 120)")
    p.add_argument("--disconnected-timeout", type=int, default=60, metavar="S",
                   help="a page whose tab has been gone S seconds ends, busy or not (a closed dashboard too; default 60)")
    p.add_argument("--public-url", default=None, metavar="URL",
                   help="the address participants use when a proxy is in front, e.g. https://gecc.example.go.th/gecc/ "
                        "(printed links, QR code and every link in the pages use it)")
    p.add_argument("--base-url", default=None, metavar="PATH",
                   help="path the server answers under, e.g. /gecc/ (default: the public URL's path, else /)")
    p.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDR",
                   help="a proxy on another machine whose X-Forwarded-For names the participant (loopback is trusted with --public-url)")
    p.add_argument("--replica", default=None, metavar="NAME",
                   help="one of several servers for one room behind a proxy (HAProxy): needs a PostgreSQL --store, "
                        "--workshop and --public-url, and the same var/facilitator.key and var/cookie_secret on every replica")
    p.add_argument("--debug", action="store_true",
                   help="log more, kernel ids included (never participants' tokens or the facilitator key)")
    p.set_defaults(func=_cmd_serve)

    p = sub.add_parser("demo", help="add the fictional sample units and their answers to a workshop")
    p.add_argument("--workshop", required=True, help="workshop code to fill (created if new)")
    p.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help="SQLAlchemy URL of the store (default: SQLite var/gecc.sqlite)")
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file the answers belong to (default: the illustrative sample)")
    p.set_defaults(func=_cmd_demo)

    store_help = "SQLAlchemy URL of the store (default: SQLite var/gecc.sqlite)"
    p = sub.add_parser("export", help="write a workshop's results to one XLSX workbook (or a folder of CSV files)")
    p.add_argument("--workshop", required=True, help="workshop code")
    p.add_argument("--out", required=True, help="results.xlsx, or a folder with --format csv")
    p.add_argument("--format", choices=("xlsx", "csv"), default=None, help="xlsx (default for a .xlsx name) or csv (one file per sheet)")
    p.add_argument("--summary", action="store_true",
                   help="the summary for executives: the room's figures, no names, no individual answers, groups under 3 hidden "
                        "(without it: every participant's answers, personal data for the facilitator only)")
    p.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help=store_help)
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file the answers belong to (default: the illustrative sample)")
    p.set_defaults(func=_cmd_export)

    p = sub.add_parser("workshop", help="list the workshops in the store, or delete one (data is not kept longer than needed)")
    wsub = p.add_subparsers(dest="action", required=True)
    q = wsub.add_parser("list", help="every workshop: code, created, participants, last activity")
    q.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help=store_help)
    q = wsub.add_parser("delete", help="delete a workshop and all its answers (asks to type the code again)")
    q.add_argument("code", help="workshop code")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help=store_help)
    q = wsub.add_parser("purge", help="delete every workshop with no activity for a while (retention), e.g. --older-than 90d")
    q.add_argument("--older-than", required=True, type=_age, metavar="AGE", help="90d (days) or 12w (weeks)")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help=store_help)
    p.set_defaults(func=_cmd_workshop)

    p = sub.add_parser("keys", help="facilitator keys: rotate makes a new one (every dashboard and table link changes)")
    ksub = p.add_subparsers(dest="action", required=True)
    q = ksub.add_parser("rotate", help="a new facilitator key; a running server refuses the old links at once")
    q.add_argument("--var", default=None, help="the server's var/ folder (default: $GECC_VAR_DIR, else the kit's var/)")
    p.set_defaults(func=_cmd_keys)

    browser_help = "Chromium-family browser that prints the PDFs (default: $GECC_BROWSER, else the first found)"
    p = sub.add_parser("handouts", help="every participant notebook as HTML and A4 PDF, code hidden, the self-assessment as a checklist")
    p.add_argument("--out", default="build/handouts", help="folder (default build/handouts)")
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file (default: the illustrative sample)")
    p.add_argument("--browser", default=None, help=browser_help)
    p.add_argument("--html-only", action="store_true", help="write the HTML handouts only (no browser needed)")
    p.add_argument("--facilitator", action="store_true",
                   help="the facilitator's set: the cases' worked answers printed (the participants' set leaves them out) "
                        "and the knowledge check's answer key")
    p.set_defaults(func=_cmd_handouts)

    p = sub.add_parser("worksheet", help="a blank paper self-assessment (PDF) from the criteria file")
    p.add_argument("--out", default="build/worksheet.pdf", help="PDF file (default build/worksheet.pdf); its HTML is written beside it")
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file (default: the illustrative sample)")
    p.add_argument("--browser", default=None, help=browser_help)
    p.set_defaults(func=_cmd_worksheet)

    p = sub.add_parser("reports", help="every participant's 'my report' of a workshop as A4 PDF")
    p.add_argument("--workshop", required=True, help="workshop code")
    p.add_argument("--out", default="build/reports", help="folder (default build/reports)")
    p.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help=store_help)
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file (default: the illustrative sample)")
    p.add_argument("--browser", default=None, help=browser_help)
    p.set_defaults(func=_cmd_reports)

    p = sub.add_parser("slides", help="the facilitator's deck (slides/*.ipynb) as reveal.js HTML that works offline")
    p.add_argument("--out", default="build/slides", help="folder (default build/slides)")
    p.add_argument("--join-url", default=os.environ.get("GECC_JOIN_URL"), metavar="URL",
                   help="the participants' link (printed by `gecc-kit serve`) for the join slide and its QR code "
                        "(default $GECC_JOIN_URL; without it the slide asks you to fill it in)")
    p.set_defaults(func=_cmd_slides)

    p = sub.add_parser("summary", help="the after-workshop analysis (notebooks/facilitator/analysis.ipynb) run headless "
                                       "and printed without code: an A4 PDF for executives, no names, groups under 3 hidden")
    p.add_argument("--workshop", required=True, help="workshop code")
    p.add_argument("--out", default="summary.pdf", help="PDF file (default summary.pdf); its HTML is written beside it")
    p.add_argument("--store", default=os.environ.get("GECC_STORE_URL"), help=store_help)
    p.add_argument("--criteria", default=os.environ.get("GECC_CRITERIA"), help="criteria file the answers belong to (default: the illustrative sample)")
    p.add_argument("--browser", default=None, help=browser_help)
    p.set_defaults(func=_cmd_summary)

    p = sub.add_parser("validate", help="check a criteria file and list every problem")
    p.add_argument("file", help="criteria file (.csv with its .levels.csv, or .xlsx)")
    p.set_defaults(func=_cmd_validate)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except GeccError as exc:
        print(f"gecc-kit: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
