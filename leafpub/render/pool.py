"""Jobs (leaflets to render, packs to assemble) -> their results, from worker processes on this
machine or from an existing Dask cluster, with the build's progress as they come."""

from __future__ import annotations

import atexit
import multiprocessing
import os
import signal
import threading
import time
from collections import OrderedDict, deque
from collections.abc import Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from multiprocessing import get_context

from .. import interrupts
from ..internals.main_preload import ensure_running, preload
from . import jobs
from .jobs import JobResult
from ..model import Settings


class Progress:
    """What the build tells its caller as it goes; the CLI shows it, tests ignore it."""

    def phase(self, description: str) -> None: ...
    def start(self, total: int) -> None: ...
    def advance(self, description: str) -> None: ...
    def finish(self) -> None: ...


class open_pool:
    """The workers that render and check PDFs, for one build: local processes, or a Dask
    cluster. Keeps what the build reports of them: each job's time and memory."""

    def __init__(self, settings: Settings, workers: int, scheduler: str | None):
        self.pool = DaskPool(settings, scheduler) if scheduler else LocalPool(settings, workers)
        self.stats: list = []  #: the JobResult of every job run
        self.labels: dict[str, str] = {}  #: what the progress display calls each job, by key

    def __enter__(self):
        return self

    def __exit__(self, kind, error, trace):
        if kind is None:
            self.pool.close()
        else:  # an interrupt or an error: stop the workers now, not after their queued jobs
            self.pool.terminate()

    def start(self) -> None:
        self.pool.start()

    def run(self, work, progress: Progress | None, total: int | None = None):
        """Results as they come, for `work` (a list, or an iterable of `total` jobs)."""
        total = len(work) if total is None else total
        if progress and total:
            progress.start(total)
        for job_result in self.pool.run(work):
            for result in (job_result, *job_result.also):
                self.stats.append(result)
                if progress:
                    label = self.labels.get(result.key, result.key[:12])
                    progress.advance(label if not result.problems else f"{label}: not built (a problem)")
                yield result


#: What the forkserver imports once for all the workers it starts: what every job needs
#: (a first build waits for it), WeasyPrint first, through leafpub.pdf. pypdf, for packs
#: only, is imported by the worker that assembles one.
PRELOAD = ["leafpub.pdf.pdf", "pikepdf", "leafpub.render.jobs", "leafpub.packs.pack_job", "leafpub.audio.worker"]

#: What this process runs as it exits (once registered).
ending: list = []


def start_forkserver():
    """Start the process that local workers are forked from, and return its context.

    forkserver: each worker starts from a small clean process, not a copy of this one
    (which holds every catalog). That process imports WeasyPrint once for all the
    workers it starts; starting it early lets it do so while this process reads the
    leaflets and catalogs (a pool started later waits only for what is left of it)."""
    context = get_context("forkserver")
    context.set_forkserver_preload(preload(PRELOAD))  # and the main script (internals: main-preload)
    if end_forkservers not in ending:  # a process stopped before its pool was open leaves none either
        ending.append(end_forkservers)
        atexit.register(end_forkservers)
    # Started with SIGINT ignored, which it and the workers forked from it inherit: Ctrl-C
    # at a terminal reaches the whole process group, and only this process decides how to
    # stop (it ends the workers). Blocked meanwhile, a Ctrl-C to this process waits for the
    # handler to be back (Linux never discards a blocked signal as ignored).
    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    handler = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        ensure_running()
    finally:
        signal.signal(signal.SIGINT, handler)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})
    return context


class LocalPool:
    """Jobs in this machine's worker processes (or in this process with one worker).

    Each worker keeps to one language at a time: the fonts it loaded for a document (a CJK
    face above all) serve that language's next documents. Handed out in turn, as from one
    shared queue, a language's documents would go to every worker, and each would load the
    same faces. When no language is left unstarted, an idle worker takes from another's."""

    #: Jobs a worker holds at once: the one it runs and the next, so that it never waits
    #: for this process to hand it one.
    DEPTH = 2

    def __init__(self, settings: Settings, workers: int):
        self.settings, self.workers = settings, max(1, workers)
        self.executors: list[ProcessPoolExecutor] = []
        self.starting: threading.Thread | None = None
        self.stopping = threading.Event()  #: set by terminate(): the starting thread starts nothing more
        self.threads_before: set[threading.Thread] = set()  #: this process's threads before the executors'

    def start(self) -> None:
        """Start the workers: each sets up its renderer (fonts, the stylesheet) while this
        process is still preparing the jobs. Forking them waits for the forkserver's own
        imports (WeasyPrint's, on a first build), so a thread waits for that, and this
        process goes on preparing the jobs."""
        if self.workers == 1 or self.executors:
            return
        context = start_forkserver()
        self.threads_before = set(threading.enumerate())
        self.executors = [ProcessPoolExecutor(max_workers=1, mp_context=context, initializer=interrupts.in_worker)
                          for _ in range(self.workers)]
        self.starting = threading.Thread(target=self.warm_up_workers, name="leafpub-start-workers", daemon=True)
        self.starting.start()

    def warm_up_workers(self) -> None:
        for executor in self.executors:
            if self.stopping.is_set():
                return
            try:
                executor.submit(jobs.warm_up, self.settings)
            except Exception:
                # The pool was stopped meanwhile (RuntimeError), or the forkserver ended by the
                # signal that stops the build (EOFError) before the main thread acts on it. A
                # failure with no stop is met again, and reported, when run() hands out a job.
                return

    def run(self, work: Iterable) -> Iterator[JobResult]:
        """Results as they come; each job is handed to a worker as soon as `work` yields it
        and the workers are there (until then, the jobs are prepared and kept)."""
        if self.workers == 1:
            for job in work:
                yield job.run(self.settings)
            return
        work = iter(work)
        first = next(work, None)
        if first is None:  # nothing to do: no worker is started for it
            return
        self.start()
        queue = LanguageQueue(self.workers)
        queue.add(first)
        running: dict = {}  # future -> worker
        more = True
        while more or running or queue:
            # Each call into concurrent.futures holds off a signal until it returns (interrupts.deferred).
            if not self.starting.is_alive():
                for worker, job in queue.hand_out(self.DEPTH, finished=not more):
                    with interrupts.deferred():
                        running[self.executors[worker].submit(job.run, self.settings)] = worker
            if more:  # prepare the next job; meanwhile, pass on what is done
                job = next(work, None)
                more = job is not None
                if more:
                    queue.add(job)
                with interrupts.deferred():
                    done = [future for future in running if future.done()]
            elif running:
                with interrupts.deferred():  # in short waits: a stop is not held off long
                    done = wait(running, timeout=0.2, return_when=FIRST_COMPLETED).done
            else:  # the last jobs wait for the workers to start
                self.starting.join()
                continue
            for future in done:
                queue.finished(running.pop(future))
                with interrupts.deferred():
                    result = future.result()
                yield result

    def close(self) -> None:
        if self.starting is not None:
            self.starting.join()
        for executor in self.executors:
            executor.shutdown(wait=True)

    def terminate(self) -> None:
        """Stop at once (an interrupt, an error): queued jobs are dropped, the running ones
        ended, and this returns when every worker and the forkserver have exited. The
        thread starting the workers is waited for first: it could otherwise start a worker,
        or a new forkserver in place of one the signal ended, after the others are stopped."""
        self.stopping.set()
        for executor in self.executors:
            executor.shutdown(wait=False, cancel_futures=True)
        if self.starting is not None:
            self.starting.join(timeout=STARTING_TIMEOUT)
        workers = multiprocessing.active_children()
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.join(timeout=5)
            if worker.is_alive():
                worker.kill()
        end_forkservers()
        # Each executor's own thread (the one that talks to its worker) ends once it sees the
        # worker gone, closing its wake-up pipe as it does. Waited for here: left running, it
        # could close that pipe while the interpreter's exit writes to it (concurrent.futures
        # wakes every such thread at exit), and Python would print an "Exception ignored"
        # traceback after the one line the command line says.
        deadline = time.monotonic() + 5
        for thread in set(threading.enumerate()) - self.threads_before:
            if not thread.daemon and thread is not threading.current_thread():
                thread.join(timeout=max(0.0, deadline - time.monotonic()))


#: How long a stop waits for the thread starting the workers: it may be waiting for the
#: forkserver to finish importing WeasyPrint before it can ask it for a worker.
STARTING_TIMEOUT = 30


def end_forkservers() -> None:
    """End the forkservers this process started, and wait until they have exited. Left
    alone, one started just before a stop lives on while it imports WeasyPrint (seconds),
    holding the rendering libraries and the resource tracker (which ends once no process
    holds its pipe). multiprocessing has no public way to stop it: find this process's
    children that run it (Linux's /proc), and send SIGTERM. They are left for
    multiprocessing to reap, which it does when it next needs a forkserver."""
    ended = []
    for pid in children_running("multiprocessing.forkserver"):
        try:
            os.kill(pid, signal.SIGTERM)
            ended.append(pid)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    while any(is_running(pid) for pid in ended) and time.monotonic() < deadline:
        time.sleep(0.02)


def children_running(command: str) -> list[int]:
    """The live child processes of this one whose command line contains `command`."""
    found = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as stat:
                fields = stat.read().rsplit(b")", 1)[1].split()
            with open(f"/proc/{entry.name}/cmdline", "rb") as cmdline:
                line = cmdline.read()
        except OSError:  # it ended meanwhile
            continue
        if int(fields[2]) == os.getpid() and fields[0] != b"Z" and command.encode() in line:
            found.append(int(entry.name))
    return found


def is_running(pid: int) -> bool:
    """Whether a process is alive: not ended, and not a zombie waiting to be reaped."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except OSError:
        return False


def font_group(job) -> str:
    """What a job shares its loaded fonts with: the other documents in its language; for a
    pack, its CJK face with the other packs with a box in that face."""
    return getattr(job, "locale", None) or getattr(job, "large_face", None) or job.key


class LanguageQueue:
    """Jobs waiting for a worker, by language, and which worker has taken which language."""

    def __init__(self, workers: int):
        self.waiting: OrderedDict[str, deque] = OrderedDict()  # in the order they came
        self.owner: dict[str, int] = {}
        self.holding = [0] * workers  # jobs handed to each worker and not yet done

    def __bool__(self) -> bool:
        return any(self.waiting.values())

    def add(self, job) -> None:
        self.waiting.setdefault(font_group(job), deque()).append(job)

    def finished(self, worker: int) -> None:
        self.holding[worker] -= 1

    def hand_out(self, depth: int, finished: bool) -> Iterator[tuple[int, object]]:
        """(worker, job) for every worker holding fewer than `depth` jobs: the next of a
        language it has, or of one nobody has; once every job is known (`finished`), the
        last of the language with most left."""
        for worker in range(len(self.holding)):
            while self.holding[worker] < depth:
                job = self.next_for(worker, finished)
                if job is None:
                    break
                self.holding[worker] += 1
                yield worker, job

    def next_for(self, worker: int, finished: bool):
        for language, waiting in self.waiting.items():
            if waiting and self.owner.setdefault(language, worker) == worker:
                return waiting.popleft()
        if finished and self:
            return max(self.waiting.values(), key=len).pop()
        return None


class DaskPool:
    """Jobs on an existing Dask distributed cluster. Its workers need this project at the
    same path and the same pinned fonts and packages (README: "Running on a cluster")."""

    def __init__(self, settings: Settings, address):
        from distributed import Client

        self.settings = settings
        self.client = Client(address, set_as_default=False)

    def start(self) -> None:
        """The cluster's workers are already running."""

    def run(self, work: Iterable) -> Iterator[JobResult]:
        from distributed import as_completed as dask_completed

        work = list(work)
        futures = [self.client.submit(job.run, self.settings, key=f"leafpub-{job.key}", pure=False)
                   for job in work]
        for future in dask_completed(futures, loop=self.client.loop):
            yield future.result()

    def close(self) -> None:
        self.client.close()

    def terminate(self) -> None:
        """Stop at once: this build's jobs are cancelled on the cluster."""
        self.client.close(timeout=5)


def default_workers() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
