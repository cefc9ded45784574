"""How long the paper takes: all handouts, the worksheet, 60 personal reports, the results workbook.

Run from the kit's folder (nothing else running):

    .venv/bin/python bench/export_bench.py --participants 60

A throw-away store in a temporary folder gets N participants with full answers (the demo units'
answer sets, repeated) and a three-item plan each. Every file is written to a temporary folder
and checked (a PDF starts with %PDF and has pages; the workbook opens). For scale, the same run
times stock ``jupyter nbconvert --to html`` of the seven notebooks (no PDF, code shown, widgets
empty), the closest thing nbconvert does by itself offline.
"""
from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from gecc_kit import load_standard  # noqa: E402
from gecc_kit.criteria import sample_criteria_path  # noqa: E402
from gecc_kit.export import results_tables, results_xlsx  # noqa: E402
from gecc_kit.handouts import build_handouts, build_reports, build_worksheet, participant_notebooks  # noqa: E402
from gecc_kit.practice import load_demo_answers, load_offices  # noqa: E402
from gecc_kit.printing import SLOTS, find_browser  # noqa: E402
from gecc_kit.quiz import load_questions  # noqa: E402
from gecc_kit.store import Store, sqlite_url  # noqa: E402


def timed(label, fn):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    print(f"{label:<46} {seconds:7.1f} s", flush=True)
    return result, seconds


def pages(pdf: Path) -> int:
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF"), pdf
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=60)
    args = parser.parse_args()
    standard = load_standard(sample_criteria_path())
    questions = load_questions()
    browser = find_browser()
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, browser {browser}, "
          f"{SLOTS} printing at once")
    with tempfile.TemporaryDirectory(prefix="gecc-bench-") as tmp:
        tmp = Path(tmp)
        store = Store(sqlite_url(tmp / "bench.sqlite"))
        store.ensure_workshop("BENCH")
        offices = load_offices()
        answers = load_demo_answers(standard, offices)
        sets = list(answers.values())
        for i in range(args.participants):
            office = offices[i % len(offices)]
            p = store.join("BENCH", f"ผู้เข้าร่วม {i + 1}", office.name_th, office.table)
            mine = sets[i % len(sets)]
            store.save_answers(p.id, mine.values())
            gaps = [cid for cid, a in mine.items() if a.status is not None and a.status.value in ("not_yet", "partial")][:3]
            for cid in gaps:
                store.save_plan_item(p.id, cid, action=f"ปรับปรุงเกณฑ์ {cid} ให้ผ่านภายในไตรมาสหน้า", owner="หัวหน้าศูนย์")
        room = store.room("BENCH")

        results = {}
        built, results["handouts"] = timed("handouts: 7 notebooks, HTML + A4 PDF", lambda: build_handouts(tmp / "handouts", standard, questions))
        handout_pages = sum(pages(p) for p in built.pdf)
        ws, results["worksheet"] = timed("worksheet: PDF", lambda: build_worksheet(tmp / "worksheet.pdf", standard))
        reports, results["reports"] = timed(f"personal reports: {args.participants} x HTML + A4 PDF",
                                            lambda: build_reports(tmp / "reports", standard, room))
        report_pages = sum(pages(p) for p in reports.pdf)
        xlsx, results["xlsx"] = timed(f"results workbook ({args.participants} participants)",
                                      lambda: results_xlsx(results_tables(standard, store.room("BENCH"), questions)))
        (tmp / "results.xlsx").write_bytes(xlsx)
        from openpyxl import load_workbook

        assert len(list(load_workbook(tmp / "results.xlsx")["ผู้เข้าร่วม"].values)) == args.participants + 1
        nbs = [str(p) for p in participant_notebooks()]
        _, results["stock"] = timed("for scale: stock `jupyter nbconvert --to html` x7",
                                    lambda: subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "html",
                                                            "--output-dir", str(tmp / "stock"), *nbs],
                                                           capture_output=True, check=True))
        print(f"handouts: {len(built.pdf)} PDF, {handout_pages} pages; worksheet {pages(ws.pdf[0])} pages; "
              f"reports: {len(reports.pdf)} PDF, {report_pages} pages, {results['reports'] / max(len(reports.pdf), 1):.2f} s each")
    return 0


if __name__ == "__main__":
    sys.exit(main())
