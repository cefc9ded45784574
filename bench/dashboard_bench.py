"""What the live dashboard costs its kernel: one refresh (read the store, compute, redraw) for a room.

Run from the kit's folder:

    .venv/bin/python bench/dashboard_bench.py --participants 60

A throw-away SQLite store gets N participants with full answers (the demo units' sets, repeated)
and a complete pre-test. The dashboard refreshes every 5 s; this times 20 refreshes (names shown,
so the heatmap is rebuilt each time) and the results download button once.
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from gecc_kit import load_standard  # noqa: E402
from gecc_kit.criteria import sample_criteria_path  # noqa: E402
from gecc_kit.dashboard import DashboardApp  # noqa: E402
from gecc_kit.practice import load_demo_answers, load_offices  # noqa: E402
from gecc_kit.quiz import load_questions  # noqa: E402
from gecc_kit.session import Request  # noqa: E402
from gecc_kit.store import Store, sqlite_url  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=60)
    args = parser.parse_args()
    standard, questions = load_standard(sample_criteria_path()), load_questions()
    with tempfile.TemporaryDirectory(prefix="gecc-dash-") as tmp:
        store = Store(sqlite_url(Path(tmp) / "d.sqlite"))
        store.ensure_workshop("BENCH")
        offices = load_offices()
        sets = list(load_demo_answers(standard, offices).values())
        for i in range(args.participants):
            office = offices[i % len(offices)]
            p = store.join("BENCH", f"ผู้เข้าร่วม {i + 1}", office.name_th, office.table)
            store.save_answers(p.id, sets[i % len(sets)].values())
            for q in questions:
                store.save_quiz_choice(p.id, "pre", q.id, q.answer)
        request = Request("BENCH", "", "http://127.0.0.1:8866/voila/render/facilitator/dashboard.ipynb")
        app = DashboardApp(standard, store, request, "bench-key", questions, interval=None)
        app.show_names.value = True
        times = []
        for _ in range(20):
            start = time.perf_counter()
            app.refresh()
            times.append(time.perf_counter() - start)
        start = time.perf_counter()
        app.prepare_export()
        export = time.perf_counter() - start
        assert f"gecc-dash-joined'>{args.participants}<" in app.sections["attendance"].value
        assert "gecc-download-results" in app.export_links.value
        print(f"refresh, {args.participants} participants: median {statistics.median(times) * 1000:.0f} ms, "
              f"max {max(times) * 1000:.0f} ms (every 5 s); heatmap {len(app.sections['heatmap'].value) / 1024:.0f} KiB; "
              f"results download {export * 1000:.0f} ms")
    return 0


if __name__ == "__main__":
    sys.exit(main())
