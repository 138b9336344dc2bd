"""The OpenAI Batch API, faked over real HTTP beside the fake chat endpoint (`llm_server`):
files (multipart upload, content), batches (create, retrieve, list, cancel).

Each request line is answered as the synchronous fake answers the same article. Answers come
back in shuffled order. Markers in an article's text choose what goes wrong: `BATCH-ERROR` puts
its request in the error file, `BATCH-UNGROUNDED` answers with a quote the article lacks, and
`BATCH-EXPIRE` makes the whole batch expire, with answers for the other articles only.
A batch completes `delay` seconds after it was created, on the first retrieve after that.
"""

import asyncio
import json
import random
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tests.support.llm_server import article_text, completion, first_sentence, record_for

ERROR, UNGROUNDED, EXPIRE = "BATCH-ERROR", "BATCH-UNGROUNDED", "BATCH-EXPIRE"


def multipart_fields(body: bytes, content_type: str) -> dict[str, bytes]:
    """The parts of a multipart/form-data body, by field name."""
    boundary = content_type.split("boundary=", 1)[1].strip('"').encode()
    fields = {}
    for part in body.split(b"--" + boundary)[1:]:
        if part.startswith(b"--"):
            break
        head, _, value = part.lstrip(b"\r\n").partition(b"\r\n\r\n")
        name = head.split(b'name="', 1)[1].split(b'"', 1)[0].decode()
        fields[name] = value.removesuffix(b"\r\n")
    return fields


@dataclass
class FakeBatches:
    """The fake's state: files, batches, and what was asked."""

    delay: float = 0.0
    # Seconds a create waits before answering (the batch exists meanwhile), and a download.
    create_delay: float = 0.0
    content_delay: float = 0.0
    files: dict[str, bytes] = field(default_factory=dict)
    batches: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: Counter[str] = field(default_factory=Counter)
    created: int = 0
    downloads: int = 0
    lists: int = 0
    rng: random.Random = field(default_factory=lambda: random.Random(7))

    def add_file(self, content: bytes, purpose: str = "batch") -> dict[str, Any]:
        file_id = f"file-{len(self.files) + 1}"
        self.files[file_id] = content
        return {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "purpose": purpose,
            "created_at": int(time.time()),
            "filename": f"{file_id}.jsonl",
            "status": "processed",
        }

    def create(self, body: dict[str, Any]) -> dict[str, Any]:
        self.created += 1
        batch_id = f"batch_{self.created}"
        self.batches[batch_id] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": body["endpoint"],
            "completion_window": body["completion_window"],
            "input_file_id": body["input_file_id"],
            "status": "in_progress",
            "created_at": int(time.time()),
            "metadata": body.get("metadata"),
            "output_file_id": None,
            "error_file_id": None,
            "_ready_at": time.monotonic() + self.delay,
        }
        return self.public(batch_id)

    def public(self, batch_id: str) -> dict[str, Any]:
        return {k: v for k, v in self.batches[batch_id].items() if not k.startswith("_")}

    def retrieve(self, batch_id: str) -> dict[str, Any]:
        batch = self.batches[batch_id]
        if batch["status"] == "in_progress" and time.monotonic() >= batch["_ready_at"]:
            self.finish(batch)
        return self.public(batch_id)

    def finish(self, batch: dict[str, Any]) -> None:
        lines = [json.loads(x) for x in self.files[batch["input_file_id"]].splitlines() if x]
        texts = [article_text(line["body"]) for line in lines]
        expire = any(EXPIRE in t for t in texts)
        output, errors = [], []
        for line, text in zip(lines, texts, strict=True):
            self.requests[first_sentence(text)] += 1
            if EXPIRE in text:
                continue
            if ERROR in text:
                errors.append(error_line(line["custom_id"]))
                continue
            output.append(answer_line(line, text))
        self.rng.shuffle(output)
        batch["status"] = "expired" if expire else "completed"
        if output:
            batch["output_file_id"] = self.add_file(b"".join(output), "batch_output")["id"]
        if errors:
            batch["error_file_id"] = self.add_file(b"".join(errors), "batch_output")["id"]


def answer_line(line: dict[str, Any], text: str) -> bytes:
    """The output line answering one request, as the synchronous fake would."""
    record = record_for(text)
    if UNGROUNDED in text:
        record["evidence"] = ["Norway agreed to guarantee the accord, officials confirmed."]
    answer = {
        "id": f"req-{line['custom_id']}",
        "custom_id": line["custom_id"],
        "response": {
            "status_code": 200,
            "request_id": "r",
            "body": completion(line["body"], [record]),
        },
        "error": None,
    }
    return json.dumps(answer).encode() + b"\n"


def error_line(custom_id: str) -> bytes:
    """An error file line."""
    error = {"code": "server_error", "message": "the model failed on this request"}
    line = {
        "id": f"req-{custom_id}",
        "custom_id": custom_id,
        "response": {"status_code": 500, "request_id": "r", "body": {"error": error}},
        "error": None,
    }
    return json.dumps(line).encode() + b"\n"


def batch_routes(state: FakeBatches) -> list[Route]:
    """The Batch API routes over `state`."""

    async def upload(request: Request) -> JSONResponse:
        fields = multipart_fields(await request.body(), request.headers["content-type"])
        return JSONResponse(state.add_file(fields["file"], fields["purpose"].decode()))

    async def content(request: Request) -> Response:
        state.downloads += 1
        await asyncio.sleep(state.content_delay)
        return Response(state.files[request.path_params["file_id"]])

    async def create(request: Request) -> JSONResponse:
        created = state.create(await request.json())
        await asyncio.sleep(state.create_delay)
        return JSONResponse(created)

    async def retrieve(request: Request) -> JSONResponse:
        return JSONResponse(state.retrieve(request.path_params["batch_id"]))

    async def cancel(request: Request) -> JSONResponse:
        state.batches[request.path_params["batch_id"]]["status"] = "cancelled"
        return JSONResponse(state.public(request.path_params["batch_id"]))

    async def listing(request: Request) -> JSONResponse:
        state.lists += 1
        limit = int(request.query_params.get("limit", 20))
        data = [state.public(i) for i in reversed(state.batches)][:limit]
        first, last = (data[0]["id"], data[-1]["id"]) if data else (None, None)
        body = {
            "object": "list",
            "data": data,
            "has_more": False,
            "first_id": first,
            "last_id": last,
        }
        return JSONResponse(body)

    return [
        Route("/v1/files", upload, methods=["POST"]),
        Route("/v1/files/{file_id}/content", content, methods=["GET"]),
        Route("/v1/batches", create, methods=["POST"]),
        Route("/v1/batches", listing, methods=["GET"]),
        Route("/v1/batches/{batch_id}", retrieve, methods=["GET"]),
        Route("/v1/batches/{batch_id}/cancel", cancel, methods=["POST"]),
    ]


@contextmanager
def serving(delay: float = 0.0, batch_delay: float = 0.0) -> Iterator[str]:
    """Run the fake endpoint (chat and Batch API) in a thread on a loopback port; its base URL
    (what OPENAI_BASE_URL should be)."""
    from tests.support.llm_server import build_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    config = uvicorn.Config(build_app(delay, batch_delay), port=port, log_level="warning")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}/v1"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
