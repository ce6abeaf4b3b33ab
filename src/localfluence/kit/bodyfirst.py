"""The request body, read before the request's transaction begins.

A write request's context begins its transaction as a writer (BEGIN IMMEDIATE: on SQLite the
database's one write lock) and holds a pooled connection until the route returns. A route that
read its body itself after that would hold both while a slow client sends it. FastAPI reads a
declared body (a pydantic model) before it solves any dependency; a route that reads the raw body
asks for RawBody *before* its Context parameter (dependencies are solved in parameter order), and
later reads of request.body()/json() are answered from Starlette's cache without waiting.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request


async def _raw_body(request: Request) -> bytes:
    return await request.body()


RawBody = Annotated[bytes, Depends(_raw_body)]
