"""What the kit changes in its kernels (gecc_kit.kernel_guard): a malformed widget message gets
no traceback, and a kernel shut down while its control thread still sends ends quietly."""
from __future__ import annotations

from unittest import mock

import pytest
import zmq
from ipykernel.iostream import IOPubThread

from gecc_kit import kernel_guard


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
    kernel_guard.quiet_exit()
    stopped_iopub.send_multipart([b"idle"])  # no ZMQError: nothing for tornado to print


def test_the_guard_hides_nothing_while_the_kernel_runs():
    kernel_guard.quiet_exit()
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


def test_a_malformed_widget_message_is_ignored_and_the_real_state_sent_back(monkeypatch):
    import ipywidgets as W
    from ipywidgets.widgets import widget as widget_module

    shown = []
    monkeypatch.setattr(widget_module, "get_ipython", lambda: type("IP", (), {"showtraceback": lambda self: shown.append(1)})())
    kernel_guard.safe_widget_messages()
    status = W.ToggleButtons(options=[("ผ่าน", "met"), ("ยังไม่ผ่าน", "not_yet")], value="met")
    sent = []
    monkeypatch.setattr(status, "send_state", lambda *a, **k: sent.append(True))
    for data in ({"method": "update", "state": {"index": 1}, "buffer_paths": [["x"]]},  # buffers it does not send
                 {"method": "update", "state": {"index": "x"}},
                 {"method": "custom"}, {}):
        status._handle_msg({"content": {"data": data}})
    assert not shown, "no traceback goes to the page"
    assert status.value == "met" and len(sent) >= 3
    status._handle_msg({"content": {"data": {"method": "update", "state": {"index": 1}}}, "buffers": []})
    assert status.value == "not_yet", "a well-formed message still applies"
