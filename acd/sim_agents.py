"""Simulated agent phones: pyVoIP SIP phones that register as agentNNNN and answer.

pyVoIP (1.6.8) is blocking and thread-based: each phone runs its own SIP receive thread
and one thread per call. The pool wraps that for asyncio: starting and stopping run in
worker threads (`asyncio.to_thread`), and what the phone threads see (a call answered,
a call ended) is handed to the loop with `call_soon_threadsafe`.

A phone answers the ACD's login call and stays on it (the nailed-up session) until the
agent "hangs up" (`hang_up`) or Asterisk ends the call. Incoming audio is drained and
dropped so the phone's receive buffer cannot grow during a long session.
"""

from __future__ import annotations

import asyncio
import errno
import logging
import socket
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from pyVoIP.VoIP.status import PhoneStatus
from pyVoIP.VoIP.VoIP import CallState, InvalidStateError, VoIPCall, VoIPPhone

if TYPE_CHECKING:
    from pyVoIP.SIP import SIPMessage  # importing it first at run time is circular in pyVoIP

log = logging.getLogger(__name__)

SERVER = ("127.0.0.1", 5060)
RTP_PORTS_PER_PHONE = 4  # one session call at a time, room for a stray second INVITE


def free_udp_ports(count: int) -> list[int]:
    """`count` distinct UDP ports nobody uses right now on loopback.

    pyVoIP needs a fixed SIP port. All probes stay bound until every port is chosen, so the
    kernel cannot hand the same port out twice.
    """
    probes = [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(count)]
    try:
        for probe in probes:
            probe.bind(("127.0.0.1", 0))
        return [int(probe.getsockname()[1]) for probe in probes]
    finally:
        for probe in probes:
            probe.close()


class _SessionCall(VoIPCall):
    """pyVoIP's incoming call without its finaliser.

    `VoIPCall.__del__` releases the call's RTP ports, which asks the phone's call threads
    whether they are alive. When the garbage collector runs it inside threading's own
    bookkeeping (a new thread registering itself, holding a lock that is not reentrant), the
    question takes that lock again: the thread deadlocks, and so does every thread started
    after it. Without the finaliser, ports of ended calls are reclaimed by the phone itself
    when its range runs out (`VoIPPhone.request_port`), outside the garbage collector.
    """

    def __del__(self) -> None:
        pass


class _Phone(VoIPPhone):
    def _create_Call(self, request: SIPMessage, sess_id: int) -> None:  # pyVoIP's hook for this
        self.calls[request.headers["Call-ID"]] = _SessionCall(
            self, CallState.RINGING, request, sess_id, self.myIP, sendmode=self.recvmode
        )


@dataclass
class PhoneCounters:
    answered: int = 0
    ended: int = 0


class SimAgentPhone:
    """One simulated agent phone (blocking API: call from a worker thread)."""

    def __init__(
        self,
        login: str,
        *,
        sip_port: int,
        rtp_low: int,
        server: tuple[str, int] = SERVER,
        auto_answer: bool = True,
    ) -> None:
        self.login = login
        self.username = f"agent{login}"
        self.auto_answer = auto_answer
        self.counters = PhoneCounters()
        self._call: VoIPCall | None = None
        self._lock = threading.Lock()
        self._listeners: list[tuple[asyncio.AbstractEventLoop, asyncio.Queue[str]]] = []
        self._phone = _Phone(
            server[0],
            server[1],
            self.username,
            self.username,
            myIP="127.0.0.1",
            callCallback=self._on_incoming,
            sipPort=sip_port,
            rtpPortLow=rtp_low,
            rtpPortHigh=rtp_low + RTP_PORTS_PER_PHONE - 1,
        )

    @property
    def registered(self) -> bool:
        return self._phone.get_status() is PhoneStatus.REGISTERED

    @property
    def in_call(self) -> bool:
        call = self._call
        return call is not None and call.state is CallState.ANSWERED

    def start(self, timeout_s: float = 20.0) -> None:
        """Register; RuntimeError if Asterisk did not accept the registration in time."""
        self._phone.start()
        deadline = time.monotonic() + timeout_s
        while not self.registered:
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"{self.username} did not register to {SERVER[0]}:{SERVER[1]}")
            time.sleep(0.05)

    def stop(self) -> None:
        self.hang_up()
        try:
            self._phone.stop()
        except Exception:  # pyVoIP may fail to deregister after Asterisk went away
            log.warning("%s: pyVoIP stop failed", self.username, exc_info=True)

    def hang_up(self) -> bool:
        """The agent puts the phone down: the session call ends. False if there was none."""
        with self._lock:
            call, self._call = self._call, None
        if call is None or call.state is not CallState.ANSWERED:
            return False
        try:
            call.hangup()
        except InvalidStateError:
            return False
        return True

    def listen(self, loop: asyncio.AbstractEventLoop, queue: asyncio.Queue[str]) -> None:
        """Receive "answered" / "ended" in `queue`, on `loop`, as this phone's calls change."""
        self._listeners.append((loop, queue))

    def _notify(self, what: str) -> None:
        for loop, queue in self._listeners:
            if not loop.is_closed():
                loop.call_soon_threadsafe(queue.put_nowait, what)

    def _on_incoming(self, call: VoIPCall) -> None:
        """pyVoIP's call thread: answer, then keep the session until it ends."""
        if not self.auto_answer:
            call.deny()
            return
        with self._lock:
            if self.in_call:  # one session at a time: a second INVITE is refused
                call.deny()
                return
            try:
                call.answer()
            except InvalidStateError:
                return  # the caller gave up while we were ringing
            self._call = call
        self.counters.answered += 1
        self._notify("answered")
        while call.state is CallState.ANSWERED:
            call.read_audio(length=8000, blocking=False)  # drop audio: bounded memory
            time.sleep(0.2)
        with self._lock:
            if self._call is call:
                self._call = None
        self.counters.ended += 1
        self._notify("ended")


class SimAgentPool:
    """Simulated phones for `logins`, each on its own SIP and RTP ports, asyncio-friendly."""

    def __init__(self, logins: Iterable[str], *, rtp_base: int = 30000) -> None:
        self.phones: dict[str, SimAgentPhone] = {}
        self._events: dict[str, asyncio.Queue[str]] = {}
        self._logins = list(logins)
        self._rtp_base = rtp_base

    def __getitem__(self, login: str) -> SimAgentPhone:
        return self.phones[login]

    async def start(self) -> None:
        """Create and register every phone (in parallel worker threads)."""
        loop = asyncio.get_running_loop()
        for login in self._logins:
            queue: asyncio.Queue[str] = asyncio.Queue()
            self._events[login] = queue
        try:
            await asyncio.gather(
                *(
                    self._start_phone(login, sip_port, loop)
                    for login, sip_port in zip(
                        self._logins, free_udp_ports(len(self._logins)), strict=True
                    )
                )
            )
        except BaseException:
            await self.stop()
            raise

    async def _start_phone(
        self, login: str, sip_port: int, loop: asyncio.AbstractEventLoop, attempts: int = 3
    ) -> None:
        """Register `login`'s phone; another port if a stranger took this one meanwhile."""
        offset = int(login) % 1000 if login.isdigit() else self._logins.index(login)
        rtp_low = self._rtp_base + offset * RTP_PORTS_PER_PHONE
        for attempt in range(attempts):
            phone = SimAgentPhone(login, sip_port=sip_port, rtp_low=rtp_low)
            phone.listen(loop, self._events[login])
            self.phones[login] = phone
            try:
                await asyncio.to_thread(phone.start)
                return
            except OSError as error:
                if error.errno != errno.EADDRINUSE or attempt == attempts - 1:
                    raise
                log.warning("%s: SIP port %d taken, trying another", phone.username, sip_port)
                await asyncio.to_thread(phone.stop)
                sip_port = free_udp_ports(1)[0]

    async def stop(self) -> None:
        await asyncio.gather(
            *(asyncio.to_thread(p.stop) for p in self.phones.values()), return_exceptions=True
        )
        self.phones.clear()

    async def hang_up(self, login: str) -> bool:
        return await asyncio.to_thread(self.phones[login].hang_up)

    async def wait_for(self, login: str, what: str, timeout_s: float = 20.0) -> None:
        """Wait until `login`'s phone reports `what` ("answered" or "ended")."""
        queue = self._events[login]
        async with asyncio.timeout(timeout_s):
            while await queue.get() != what:
                pass
