"""``make bench``: measure rOK against baselines run alongside, and write RESULTS.md.

Every figure is measured in this run on this machine; speed is judged by ratios to a
baseline measured in the same run, because absolute timings on a shared machine are
noisy. Servers listen on 127.0.0.1 only and are stopped when their section ends.
"""

from __future__ import annotations

import argparse
import os
import platform
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

from bench import results_scenarios as results
from bench import scenarios
from bench.load import Outcome
from bench.servers import ROOT

#: The benchmark creates (and empties) its own database on this server, so it never
#: touches the test database.
PG_SERVER = os.environ.get("ROK_BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
PG_URL = f"{PG_SERVER}/rok_bench"


def ensure_pg_database() -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as connection:
        exists = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = 'rok_bench'").fetchone()
        if not exists:
            connection.execute("CREATE DATABASE rok_bench")
RESULTS = ROOT / "bench" / "RESULTS.md"


class Report:
    def __init__(self) -> None:
        self.rows: list[tuple[str, str, str, str]] = []
        self.raw: list[str] = []

    def ratio(self, name: str, value: float, target: str, ok: bool) -> None:
        self.rows.append((name, f"{value:.2f}", target, "yes" if ok else "NO"))

    def figure(self, name: str, value: str, target: str, ok: bool | None) -> None:
        verdict = "—" if ok is None else ("yes" if ok else "NO")
        self.rows.append((name, value, target, verdict))

    def note(self, line: str) -> None:
        print(line, flush=True)
        self.raw.append(line)

    def markdown(self) -> str:
        lines = ["| measure | value | target | met |", "|---|---|---|---|"]
        lines += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in self.rows]
        return "\n".join(lines)


#: Rounds per concurrency level; rOK and the baseline take turns, and the medians
#: count (a shared two-core machine varies by some 15 % from one run to the next).
ROUNDS = 5


def _speed(throughput: float, outcome: Outcome) -> str:
    return (
        f"{throughput:7.0f}/s p50 {outcome.median * 1000:5.1f} ms "
        f"p95 {outcome.percentile(95) * 1000:5.1f} ms errors {outcome.errors}"
    )


def _pooled(outcomes: list[Outcome]) -> tuple[float, Outcome]:
    """Return the median throughput of the rounds and their pooled latencies."""
    pooled = Outcome()
    for outcome in outcomes:
        pooled.merge(outcome)
    return statistics.median(o.throughput for o in outcomes), pooled


def section_saving(report: Report, workdir: Path, duration: float) -> None:
    report.note(
        f"## 1. Answer saving (SQLite, gunicorn 2 workers; median of {ROUNDS} "
        "alternating rounds)"
    )
    secret = secrets.token_hex(32)
    rok_db = workdir / "saving.sqlite"
    levels = (1, 10, 50)
    prepared = scenarios.prepare(
        f"sqlite:///{rok_db}",
        participants=sum(levels) * ROUNDS,
        statements=60,
        secret=secret,
    )
    server = scenarios.rok_server(f"sqlite:///{rok_db}", secret, lift_limits=True)
    baseline = scenarios.baseline_server(str(workdir / "baseline.sqlite"))
    try:
        first = 0
        for concurrency in levels:
            # Two client processes (one event loop each) once there is more than
            # one person, so the client is never the slowest part.
            processes = min(2, concurrency)
            ours_rounds, base_rounds = [], []
            for _ in range(ROUNDS):
                ours_rounds.append(scenarios.saving_rok(
                    server.base, prepared, concurrency, duration, first, processes
                ))
                first += concurrency
                base_rounds.append(scenarios.saving_baseline(
                    baseline.base, concurrency, duration, processes
                ))
            ours_speed, ours = _pooled(ours_rounds)
            base_speed, base = _pooled(base_rounds)
            ratio = ours_speed / base_speed if base_speed else 0.0
            report.note(
                f"- {concurrency:>2} concurrent: rOK {_speed(ours_speed, ours)} | "
                f"baseline {_speed(base_speed, base)} | ratio {ratio:.2f} "
                f"(rounds: rOK {', '.join(f'{o.throughput:.0f}' for o in ours_rounds)}"
                f"; baseline {', '.join(f'{o.throughput:.0f}' for o in base_rounds)})"
            )
            for sample in ours.error_samples[:3]:
                report.note(f"  error sample: {sample}")
            report.ratio(
                f"saving throughput vs baseline, {concurrency} concurrent",
                ratio,
                ">= 0.5",
                ratio >= 0.5,
            )
            if concurrency == 50:
                report.figure(
                    "answers stored per second, 50 concurrent",
                    f"{ours_speed:.0f}",
                    ">= 1000",
                    ours_speed >= 1000,
                )
                report.figure(
                    "p95 save latency, 50 concurrent",
                    f"{ours.percentile(95) * 1000:.1f} ms",
                    "< 50 ms",
                    ours.percentile(95) < 0.050,
                )
                report.figure(
                    "errors while saving, 50 concurrent",
                    str(ours.errors),
                    "0",
                    ours.errors == 0,
                )
    finally:
        server.stop()
        baseline.stop()


def section_burst(report: Report, workdir: Path) -> None:
    report.note("## 2. Staff-meeting burst: 150 respondents x 60 statements at once")
    ensure_pg_database()
    for backend, url in (
        ("SQLite", f"sqlite:///{workdir / 'burst.sqlite'}"),
        ("PostgreSQL", PG_URL),
    ):
        secret = secrets.token_hex(32)
        prepared = scenarios.prepare(
            url, participants=150, statements=60, secret=secret
        )
        # The answering limits as shipped: a staff meeting behind one address.
        server = scenarios.rok_server(url, secret)
        try:
            outcome = scenarios.burst(server.base, prepared)
        finally:
            server.stop()
        responses, answers = scenarios.count_stored(url, prepared.survey_id)
        lost = 150 * 60 - answers
        report.note(
            f"- {backend}: {outcome.count} requests in {outcome.elapsed:.1f} s, "
            f"errors {outcome.errors}, submitted {responses}/150, answers stored "
            f"{answers}/9000 (lost {lost}), p95 {outcome.percentile(95) * 1000:.0f} ms"
        )
        for sample in outcome.error_samples[:3]:
            report.note(f"  error sample: {sample}")
        report.figure(
            f"burst errors ({backend})", str(outcome.errors), "0", outcome.errors == 0
        )
        report.figure(
            f"burst answers lost ({backend})",
            str(lost),
            "0",
            lost == 0 and responses == 150,
        )
        report.figure(
            f"burst wall time ({backend})", f"{outcome.elapsed:.1f} s", "—", None
        )


def section_dashboard(report: Report, workdir: Path) -> None:
    report.note("## 3. Dashboard: all analysis tables and the overview page")
    app = results.make_app(
        f"sqlite:///{workdir / 'dashboard.sqlite'}", secrets.token_hex(32)
    )
    per_respondent = {}
    for respondents in (40, 200, 1000):
        school_id, survey_id = results.closed_survey(
            app, respondents, 60, title=f"Dashboard {respondents}"
        )
        analysis = results.analysis_seconds(app, survey_id)
        overview = results.overview_seconds(app, school_id, survey_id)
        per_respondent[respondents] = analysis / respondents
        report.note(
            f"- {respondents:>5} respondents x 60: analysis {analysis * 1000:6.0f} ms,"
            f" overview page {overview * 1000:6.0f} ms"
        )
        if respondents == 200:
            report.figure(
                "overview page, 200 respondents",
                f"{overview * 1000:.0f} ms",
                "< 500 ms",
                overview < 0.5,
            )
    big = results.synthetic_analysis_seconds(10_000)
    per_respondent[10_000] = big / 10_000
    report.note(
        f"- 10000 respondents x 60 (600,000 answers, no database): analysis "
        f"{big * 1000:.0f} ms"
    )
    growth = per_respondent[10_000] / per_respondent[1000]
    growth_db = per_respondent[1000] / per_respondent[200]
    report.ratio(
        "analysis cost per respondent, 1,000 vs 200",
        growth_db,
        "<= 1.5 (linear or better)",
        growth_db <= 1.5,
    )
    report.ratio(
        "analysis cost per respondent, 10,000 (in memory) vs 1,000",
        growth,
        "<= 1.5 (linear or better)",
        growth <= 1.5,
    )


def section_page_weight(report: Report, workdir: Path) -> None:
    report.note("## 4. Page weight (Chromium) and respondent page server time")
    secret = secrets.token_hex(32)
    url = f"sqlite:///{workdir / 'weight.sqlite'}"
    prepared = scenarios.prepare(url, participants=2, statements=60, secret=secret)
    server = scenarios.rok_server(url, secret)
    baseline = scenarios.baseline_server(str(workdir / "weight-baseline.sqlite"))
    try:
        first = results.page_weight(f"{server.base}/b/{prepared.tokens[0]}")
        report.note(
            f"- first respondent page: {first['requests']} requests, "
            f"{first['bytes'] / 1024:.1f} KB ({first['gzip_bytes'] / 1024:.1f} KB "
            f"gzipped), third-party: {first['third_party']}"
        )
        report.figure(
            "first respondent page weight",
            f"{first['bytes'] / 1024:.1f} KB",
            "< 50 KB",
            first["bytes"] < 50 * 1024,
        )
        report.figure(
            "third-party requests on the respondent page",
            str(len(first["third_party"])),
            "0",
            not first["third_party"],
        )
        card = scenarios.page_latencies(
            server.base, f"/b/s/{prepared.survey_id}/stelling/1", 50,
            token=prepared.tokens[1], survey_id=prepared.survey_id)
        hello = scenarios.page_latencies(baseline.base, "/", 50)
        ours_ms = card.median * 1000
        base_ms = hello.median * 1000
        report.note(
            f"- statement card over HTTP: median {ours_ms:.1f} ms "
            f"(baseline 'hello' page {base_ms:.1f} ms)"
        )
        report.figure(
            "respondent page, server median",
            f"{ours_ms:.1f} ms",
            "< 10 ms",
            ours_ms < 10,
        )
    finally:
        server.stop()
        baseline.stop()
    dash_url = f"sqlite:///{workdir / 'weight-dash.sqlite'}"
    app = results.make_app(dash_url, secret)
    school_id, survey_id = results.closed_survey(app, 40, 60, title="Gewicht")
    server = scenarios.rok_server(dash_url, secret)
    try:
        dash_path = f"/scholen/{school_id}/bevragingen/{survey_id}/dashboard/"
        dash = results.page_weight(server.base + dash_path, login=results.DIRECTOR)
        if not dash["final"].endswith(dash_path):
            raise RuntimeError(f"the dashboard was not shown: {dash['final']}")
        report.note(
            f"- dashboard overview: {dash['requests']} requests, "
            f"{dash['bytes'] / 1024:.0f} KB ({dash['gzip_bytes'] / 1024:.0f} KB "
            f"gzipped), third-party: {dash['third_party']}"
        )
        report.figure(
            "dashboard overview weight",
            f"{dash['bytes'] / 1024:.0f} KB in {dash['requests']} requests",
            "—",
            None,
        )
        report.figure(
            "third-party requests on the dashboard",
            str(len(dash["third_party"])),
            "0",
            not dash["third_party"],
        )
    finally:
        server.stop()


def section_exports(report: Report, workdir: Path) -> None:
    report.note("## 5. Exports of 3,000 responses x 100 statements (over HTTP)")
    secret = secrets.token_hex(32)
    url = f"sqlite:///{workdir / 'exports.sqlite'}"
    app = results.make_app(url, secret)
    school_id, survey_id = results.closed_survey(app, 3000, 100, title="Exports")
    server = scenarios.rok_server(url, secret)
    timeout = 60
    try:
        session = results.logged_in_session(server.base)
        prefix = f"{server.base}/scholen/{school_id}/bevragingen/{survey_id}"
        for name, path, target in (
            ("CSV", "/export/tabellen.csv", 2.0),
            ("XLSX", "/export/tabellen.xlsx", 2.0),
            ("PDF", "/rapport.pdf", None),
        ):
            seconds, status, size = results.timed_get(session, prefix + path)
            report.note(
                f"- {name}: {seconds:.2f} s, HTTP {status}, {size / 1024:.0f} KB"
            )
            ok = status == 200 and seconds < (target or timeout / 2)
            report.figure(
                f"{name} export, 3,000 x 100",
                f"{seconds:.2f} s",
                f"< {target:.0f} s"
                if target
                else f"< {timeout // 2} s (worker timeout {timeout} s)",
                ok,
            )
    finally:
        server.stop()


SECTIONS = {
    "saving": section_saving,
    "burst": section_burst,
    "dashboard": section_dashboard,
    "weight": section_page_weight,
    "exports": section_exports,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--only", choices=sorted(SECTIONS), action="append")
    parser.add_argument(
        "--duration", type=float, default=3.0, help="seconds per saving measurement"
    )
    parser.add_argument(
        "--no-write",
        action="store_true",
        help="print only; leave bench/RESULTS.md alone",
    )
    args = parser.parse_args(argv)
    report = Report()
    began = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="rok-bench-") as tmp:
        workdir = Path(tmp)
        for name, section in SECTIONS.items():
            if args.only and name not in args.only:
                continue
            if name == "saving":
                section(report, workdir, args.duration)
            else:
                section(report, workdir)
    total = time.perf_counter() - began
    table = report.markdown()
    print("\n" + table + f"\n\nTotal benchmark time: {total:.0f} s")
    if not args.no_write:
        RESULTS.write_text(
            "# Benchmark results\n\n"
            "Written by `make bench` on "
            f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
            f" ({platform.machine()}, {os.cpu_count()} cores, Python "
            f"{platform.python_version()}). Total run time {total:.0f} s.\n\n"
            + table
            + "\n\n## Raw figures\n\n"
            + "\n".join(report.raw)
            + "\n",
            encoding="utf-8",
        )
    return 0 if all(row[3] != "NO" for row in report.rows) else 1


if __name__ == "__main__":
    sys.exit(main())
