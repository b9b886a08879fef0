"""Bounded load from several client processes, each with a few threads."""

from __future__ import annotations

import multiprocessing as mp
import re
import statistics
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token(html: str) -> str:
    match = CSRF.search(html)
    if not match:
        raise RuntimeError("no CSRF token on the page")
    return match.group(1)


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    elapsed: float = 0.0

    def merge(self, other: Outcome) -> None:
        self.latencies.extend(other.latencies)
        self.errors += other.errors
        self.error_samples.extend(other.error_samples[: 5 - len(self.error_samples)])
        self.elapsed = max(self.elapsed, other.elapsed)

    @property
    def count(self) -> int:
        return len(self.latencies)

    @property
    def throughput(self) -> float:
        return self.count / self.elapsed if self.elapsed else 0.0

    def percentile(self, p: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))
        return ordered[index]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies) if self.latencies else float("nan")


def _run_threads(worker: Callable, jobs: list, duration: float | None, queue) -> None:
    outcome = Outcome()
    lock = threading.Lock()
    start = time.perf_counter()
    deadline = start + duration if duration else None

    def run(job):
        local = Outcome()
        try:
            worker(job, local, deadline)
        except Exception as error:  # noqa: BLE001 - counted and reported
            local.errors += 1
            local.error_samples.append(f"{type(error).__name__}: {error}"[:200])
        with lock:
            outcome.merge(local)

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    outcome.elapsed = time.perf_counter() - start
    queue.put(outcome)


def run(
    worker: Callable, jobs: list, *, processes: int = 4, duration: float | None = None
) -> Outcome:
    """Run ``worker(job, outcome, deadline)`` for every job, spread over processes.

    Each job is one simulated person with its own HTTP session. With ``duration``,
    workers loop until the deadline; without, each does its fixed work once.
    """
    processes = max(1, min(processes, len(jobs)))
    chunks = [jobs[i::processes] for i in range(processes)]
    context = mp.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_run_threads, args=(worker, chunk, duration, queue))
        for chunk in chunks
    ]
    for process in workers:
        process.start()
    total = Outcome()
    for _ in workers:
        total.merge(queue.get(timeout=900))
    for process in workers:
        process.join(timeout=30)
    return total


def timed(
    session: requests.Session, outcome: Outcome, method: str, url: str, **kwargs
) -> requests.Response:
    began = time.perf_counter()
    response = session.request(method, url, allow_redirects=False, timeout=30, **kwargs)
    outcome.latencies.append(time.perf_counter() - began)
    if response.status_code >= 400:
        outcome.errors += 1
        if len(outcome.error_samples) < 5:
            outcome.error_samples.append(f"{method} {url} -> {response.status_code}")
    return response
