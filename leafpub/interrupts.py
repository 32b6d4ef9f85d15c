"""SIGINT and SIGTERM -> Interrupted, raised in the main thread; held back while a release is switched.

Ctrl-C and `kill` stop every command the same way: the signal becomes an exception that
unwinds the build (its `finally` blocks stop the workers and remove temporary files), and
the command line reports it in one line with exit status 128 + the signal's number.
"""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager

SIGNALS = (signal.SIGINT, signal.SIGTERM)


class Interrupted(BaseException):
    """A stop asked for by a signal. A BaseException, like KeyboardInterrupt, so that no
    `except Exception` on the way mistakes it for a failed document."""

    def __init__(self, signum: int):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum
        #: whether the new release had been published in full when it came
        self.published = False

    @property
    def exit_status(self) -> int:
        return 128 + self.signum  # 130 for SIGINT, 143 for SIGTERM, as shells report them


def raise_interrupted(signum, frame) -> None:
    raise Interrupted(signum)


#: Signals that came while the program was loading, before install(): acted on by install().
early: list[int] = []


def defer() -> None:
    """At the start of the program: a signal that comes while the libraries load (most of a
    second) is noted, and install() acts on it, so that a stop then is reported like any other
    instead of killing the process without a word."""
    for number in SIGNALS:
        signal.signal(number, lambda signum, frame: early.append(signum))


def install() -> None:
    """From now on SIGINT and SIGTERM raise Interrupted in the main thread; one that came
    while the program was loading raises it now."""
    for number in SIGNALS:
        signal.signal(number, raise_interrupted)
    if early:
        raise Interrupted(early.pop(0))


def ignore() -> None:
    """Once stopping: a second Ctrl-C must not cut short the cleanup of the first."""
    for number in SIGNALS:
        signal.signal(number, signal.SIG_IGN)


def in_worker() -> None:
    """A worker process: Ctrl-C at a terminal reaches the whole process group, but only the
    main process decides how to stop (it ends the workers); SIGTERM from it ends a worker
    through SystemExit, so that its clean-up (Ghostscript, temporary folders) runs."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    sys.unraisablehook = unless_asked_to_exit


def unless_asked_to_exit(unraisable) -> None:
    """A SIGTERM that comes while a finalizer runs (the garbage collection between documents
    runs many) raises its SystemExit where Python cannot pass it on, only print it. That is
    no error: the worker ends anyway, when the pool it belongs to sends it no more work."""
    if not isinstance(unraisable.exc_value, SystemExit):
        sys.__unraisablehook__(unraisable)


@contextmanager
def held_back() -> Iterator[None]:
    """A signal that comes inside is acted on when the block ends, so the renames that
    switch the release from the old files to the new are never cut in half."""
    with deferred(published=True):
        yield


@contextmanager
def deferred(published: bool = False) -> Iterator[None]:
    """A signal that comes inside is acted on when the block ends. Around calls into a
    library whose own threads share its locks (handing a job to a worker process, waiting
    for one): an exception raised between taking a lock and releasing it would leave it
    taken, and those threads, and so the program's exit, would wait for it forever.
    `published`: what the Interrupted raised says of the release."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received: list[int] = []
    previous = {number: signal.signal(number, lambda signum, frame: received.append(signum))
                for number in SIGNALS}
    try:
        yield
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
    if received:
        if previous[received[0]] is raise_interrupted:
            stop = Interrupted(received[0])
            stop.published = published
            raise stop
        signal.raise_signal(received[0])  # whatever the caller had: KeyboardInterrupt, say


@contextmanager
def after_publication() -> Iterator[None]:
    """What runs once the new release is out: an interrupt there says so."""
    try:
        yield
    except Interrupted as stop:
        stop.published = True
        raise
