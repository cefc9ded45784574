"""A kernel shut down while its control thread still sends ends quietly (gecc_kit.quiet_exit)."""
from __future__ import annotations

from unittest import mock

import pytest
import zmq
from ipykernel.iostream import IOPubThread

from gecc_kit import quiet_exit


@pytest.fixture
def stopped_iopub():
    """A real IOPub thread that a send reaches just after stop() closed its event pipes.

    The control thread saw the IO thread alive, then lost the CPU while the main
    thread joined it and closed the pipes: `is_alive()` answered True, the pipe is gone.
    """
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    socket.linger = 0
    iopub = IOPubThread(socket)
    iopub.start()
    iopub.send_multipart([b"before"])  # this thread's event pipe exists, as the control thread's does
    iopub.stop()
    with mock.patch.object(iopub.thread, "is_alive", return_value=True):
        yield iopub
    iopub.close()
    context.term()


def test_the_race_raises_without_the_guard(stopped_iopub):
    unguarded = getattr(IOPubThread.schedule, "__wrapped__", IOPubThread.schedule)
    with pytest.raises(zmq.ZMQError) as raised:
        unguarded(stopped_iopub, lambda: None)
    assert raised.value.errno == zmq.ENOTSOCK  # what the CI log showed


def test_a_status_sent_after_stop_is_dropped_quietly(stopped_iopub):
    quiet_exit.install()
    stopped_iopub.send_multipart([b"idle"])  # no ZMQError: nothing for tornado to print


def test_the_guard_hides_nothing_while_the_kernel_runs():
    quiet_exit.install()
    context = zmq.Context()
    socket = context.socket(zmq.PUB)
    iopub = IOPubThread(socket)
    iopub.start()
    iopub.send_multipart([b"x"])
    iopub._event_pipe.close()  # a broken pipe in a running kernel is a real error
    try:
        with pytest.raises(zmq.ZMQError):
            iopub.send_multipart([b"y"])
    finally:
        iopub.stop()
        iopub.close()
        context.term()
