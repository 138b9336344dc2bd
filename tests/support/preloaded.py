"""Imported once by the test workers' forkserver (`tests.support.launcher`): every module of
the app, and the parts of uvicorn that `parley serve` picks when it starts."""

import importlib
import pkgutil

import uvicorn.lifespan.on
import uvicorn.loops.asyncio
import uvicorn.protocols.http.h11_impl
import uvicorn.protocols.websockets.auto  # noqa: F401

import app

for module in pkgutil.walk_packages(app.__path__, "app."):
    importlib.import_module(module.name)
