#!/usr/bin/python3
"""A unix-socket proxy in front of the Docker Engine socket, so a test can cut popd-rest's
connection to the engine (by killing this process) without touching the engine itself.

usage: socket_proxy.py LISTEN_PATH [TARGET_PATH]
"""
import asyncio
import os
import sys

LISTEN = sys.argv[1]
TARGET = sys.argv[2] if len(sys.argv) > 2 else "/var/run/docker.sock"


async def pipe(reader, writer):
    try:
        while True:
            data = await reader.read(65536)
            if not data:
                break
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        writer.close()


async def handle(client_reader, client_writer):
    try:
        up_reader, up_writer = await asyncio.open_unix_connection(TARGET)
    except OSError:
        client_writer.close()
        return
    await asyncio.gather(pipe(client_reader, up_writer), pipe(up_reader, client_writer))


async def main():
    if os.path.exists(LISTEN):
        os.unlink(LISTEN)
    server = await asyncio.start_unix_server(handle, path=LISTEN)
    async with server:
        await server.serve_forever()


asyncio.run(main())
