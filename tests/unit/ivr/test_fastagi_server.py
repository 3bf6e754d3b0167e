"""The FastAGI server over loopback with a scripted Asterisk."""

from __future__ import annotations

import asyncio

import pytest

from dialer.pbx.fastagi import AgiSession, CallerHungUp, FastAgiServer


async def _connect(port: int, script: str) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(f"agi_network: yes\nagi_network_script: {script}\nagi_channel: X/1\n\n".encode())
    await writer.drain()
    return reader, writer


async def test_routes_by_script_and_parses_replies() -> None:
    got: dict[str, object] = {}
    done = asyncio.Event()

    async def handler(session: AgiSession) -> None:
        got["env"] = dict(session.env)
        got["args"] = dict(session.args)
        got["var"] = await session.command("GET VARIABLE FOO")
        got["digit"] = await session.command("WAIT FOR DIGIT 1000")
        done.set()

    server = FastAgiServer("127.0.0.1", 0, {"menu": handler})
    await server.start()
    try:
        assert server.port != 0
        reader, writer = await _connect(server.port, "menu?lang=pl")
        assert (await reader.readline()) == b"GET VARIABLE FOO\n"
        writer.write(b"200 result=1 (bar baz)\n")
        assert (await reader.readline()) == b"WAIT FOR DIGIT 1000\n"
        writer.write(b"520-Invalid command syntax.  Proper usage follows:\nUsage: x\n")
        writer.write(b"520 End of proper usage.\n")
        await writer.drain()
        await asyncio.wait_for(reader.read(), 20)  # handler failed: connection closed
        writer.close()
    finally:
        await server.stop()
    assert got["env"]["agi_channel"] == "X/1"  # type: ignore[index]
    assert got["args"] == {"lang": "pl"}
    reply = got["var"]
    assert reply.code == 200 and reply.result == "1" and reply.in_parens == "bar baz"  # type: ignore[attr-defined]
    assert "digit" not in got  # 520 raised AgiError inside the handler


@pytest.mark.parametrize(
    "answer", [b"HANGUP\n", b"511 Command Not Permitted on a dead channel\n", b""]
)
async def test_caller_hangup_raises_from_the_pending_command(answer: bytes) -> None:
    outcome: list[str] = []

    async def handler(session: AgiSession) -> None:
        try:
            await session.command('STREAM FILE hello ""')
        except CallerHungUp:
            outcome.append("hung up")
            assert session.hung_up
            with pytest.raises(CallerHungUp):
                await session.command("ANSWER")  # and every later command too
            raise

    server = FastAgiServer("127.0.0.1", 0, {"s": handler})
    await server.start()
    try:
        reader, writer = await _connect(server.port, "s")
        await reader.readline()
        if answer:
            writer.write(answer)
            await writer.drain()
        else:
            writer.close()
        await asyncio.wait_for(reader.read(), 20)
        writer.close()
        for _ in range(600):  # up to 30 s on a loaded machine
            if server.active_sessions == 0:
                break
            await asyncio.sleep(0.05)
    finally:
        await server.stop()
    assert outcome == ["hung up"]
    assert server.active_sessions == 0


async def test_hangup_between_commands_is_not_read_as_a_reply() -> None:
    replies: list[str] = []

    async def handler(session: AgiSession) -> None:
        replies.append((await session.command("ANSWER")).result)
        await asyncio.sleep(0.2)  # the caller hangs up meanwhile
        await session.command("GET VARIABLE X")

    server = FastAgiServer("127.0.0.1", 0, {"s": handler})
    await server.start()
    try:
        reader, writer = await _connect(server.port, "s")
        await reader.readline()
        writer.write(b"200 result=0\nHANGUP\n")
        await writer.drain()
        assert (await asyncio.wait_for(reader.readline(), 20)) == b"GET VARIABLE X\n"
        writer.write(b"200 result=1 (shifted)\n")
        await writer.drain()
        await asyncio.wait_for(reader.read(), 20)
        writer.close()
    finally:
        await server.stop()
    assert replies == ["0"]


async def test_unknown_script_closes_and_stop_ends_every_session() -> None:
    started = asyncio.Event()

    async def forever(session: AgiSession) -> None:
        started.set()
        await asyncio.Event().wait()

    server = FastAgiServer("127.0.0.1", 0, {"wait": forever})
    await server.start()
    reader, writer = await _connect(server.port, "nosuchscript")
    assert await asyncio.wait_for(reader.read(), 20) == b""
    writer.close()
    clients = [await _connect(server.port, "wait") for _ in range(5)]
    await asyncio.wait_for(started.wait(), 20)
    for _ in range(600):  # up to 30 s on a loaded machine
        if server.active_sessions == 5:
            break
        await asyncio.sleep(0.05)
    assert server.active_sessions == 5
    await server.stop()
    assert server.active_sessions == 0
    for reader, writer in clients:
        assert await asyncio.wait_for(reader.read(), 20) == b""
        writer.close()
