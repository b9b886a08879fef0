"""Bounded load from simulated people, each a lean HTTP/1.1 client in an event loop.

The benchmark shares two cores with the servers it measures, so the load generator
must cost far less than the requests it sends: a ``requests`` session costs about a
millisecond of CPU per request, as much as a lean server request, and would cap
every server at the client's speed. Each simulated person here is one
:class:`Browser` (a keep-alive connection, reopened when the server closes it, and a
cookie jar) driven by asyncio; a few processes each run one event loop.
"""

from __future__ import annotations

import asyncio
import json as jsonlib
import multiprocessing as mp
import re
import statistics
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

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

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 5:
            self.error_samples.append(text[:200])

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


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def json(self):
        return jsonlib.loads(self.body)


class Browser:
    """One simulated person: a persistent HTTP/1.1 connection and its cookies.

    Cookie paths are ignored: a simulated person visits one survey, whose cookies
    all apply to every page it requests.
    """

    def __init__(self, base: str) -> None:
        parts = urlsplit(base)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.cookies: dict[str, str] = {}
        self._reader: asyncio.StreamReader | None = None
        self._writer: asyncio.StreamWriter | None = None

    async def close(self) -> None:
        if self._writer is not None:
            self._writer.close()
            try:
                await self._writer.wait_closed()
            except OSError:
                pass
        self._reader = self._writer = None

    async def request(
        self,
        method: str,
        path: str,
        *,
        json=None,
        form: dict | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        body = b""
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}:{self.port}"]
        if json is not None:
            body = jsonlib.dumps(json).encode()
            lines.append("Content-Type: application/json")
        elif form is not None:
            body = urlencode(form).encode()
            lines.append("Content-Type: application/x-www-form-urlencoded")
        if body or method == "POST":
            lines.append(f"Content-Length: {len(body)}")
        if self.cookies:
            lines.append(
                "Cookie: " + "; ".join(f"{k}={v}" for k, v in self.cookies.items())
            )
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        raw = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        reused = self._writer is not None
        try:
            reply = await self._exchange(raw)
        except (ConnectionError, asyncio.IncompleteReadError):
            await self.close()
            if not reused:
                raise
            # The server closed an idle keep-alive connection before reading the
            # request: send it again on a new one.
            reply = await self._exchange(raw)
        self._remember(reply.headers.get("set-cookie", ""))
        return reply

    async def _exchange(self, raw: bytes) -> Reply:
        if self._writer is None:
            self._reader, self._writer = await asyncio.open_connection(
                self.host, self.port
            )
        self._writer.write(raw)
        await self._writer.drain()
        head = await self._reader.readuntil(b"\r\n\r\n")
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        headers: dict[str, str] = {}
        for line in header_lines:
            if not line:
                continue
            name, _, value = line.partition(":")
            name, value = name.strip().lower(), value.strip()
            # Several Set-Cookie headers are kept apart by a newline.
            headers[name] = f"{headers[name]}\n{value}" if name in headers else value
        if "content-length" in headers:
            body = await self._reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self._reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return Reply(status, headers, body)

    async def _chunked(self) -> bytes:
        parts = []
        while True:
            size = int((await self._reader.readuntil(b"\r\n")).split(b";")[0], 16)
            if size == 0:
                await self._reader.readuntil(b"\r\n")
                return b"".join(parts)
            parts.append(await self._reader.readexactly(size))
            await self._reader.readexactly(2)

    def _remember(self, set_cookie: str) -> None:
        for line in filter(None, set_cookie.split("\n")):
            pair, _, attributes = line.partition(";")
            name, _, value = pair.strip().partition("=")
            attributes = attributes.lower()
            if "max-age=0" in attributes or "expires=thu, 01 jan 1970" in attributes:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value


async def timed(
    browser: Browser, outcome: Outcome, method: str, path: str, **kwargs
) -> Reply:
    """Send one request, record its latency and count a 4xx/5xx (or a failure)."""
    began = time.perf_counter()
    try:
        reply = await browser.request(method, path, **kwargs)
    except (OSError, asyncio.IncompleteReadError) as error:
        outcome.latencies.append(time.perf_counter() - began)
        outcome.error(f"{method} {path} -> {type(error).__name__}: {error}")
        return Reply(0, {}, b"")
    outcome.latencies.append(time.perf_counter() - began)
    if reply.status >= 400:
        outcome.error(f"{method} {path} -> {reply.status} {reply.text[:80]}")
    return reply


Person = Callable[[object, Outcome], Awaitable[None]]


def _outcome(person: Person, jobs: list) -> Outcome:
    async def main() -> Outcome:
        total = Outcome()

        async def one(job) -> None:
            local = Outcome()
            try:
                await person(job, local)
            except Exception as error:  # noqa: BLE001 - counted and reported
                local.error(f"{type(error).__name__}: {error}")
            total.merge(local)

        began = time.perf_counter()
        await asyncio.gather(*(one(job) for job in jobs))
        total.elapsed = time.perf_counter() - began
        return total

    return asyncio.run(main())


def _in_process(person: Person, jobs: list, queue) -> None:
    queue.put(_outcome(person, jobs))


def run(person: Person, jobs: list, *, processes: int = 1) -> Outcome:
    """Run ``await person(job, outcome)`` for every job, all at once.

    Jobs are spread over ``processes`` event loops (separate processes, so the
    client can use more than one core when the server is fast).
    """
    processes = max(1, min(processes, len(jobs)))
    if processes == 1:
        return _outcome(person, jobs)
    context = mp.get_context("fork")
    queue = context.Queue()
    workers = [
        context.Process(target=_in_process, args=(person, jobs[i::processes], queue))
        for i in range(processes)
    ]
    for process in workers:
        process.start()
    total = Outcome()
    for _ in workers:
        total.merge(queue.get(timeout=900))
    for process in workers:
        process.join(timeout=30)
    return total
