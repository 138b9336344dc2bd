"""A stand-in for an OpenAI-compatible endpoint, over real HTTP, for tests across processes and
for benchmarks: `python -m tests.support.llm_server --port 8765 [--delay 0.5]`.

Each chat completion answers with one ceasefire record whose evidence is the article's first
sentence, as a tool call (tools mode) or JSON content (other modes). `GET /calls` tells how
many completions were requested per article (keyed by that sentence).
"""

import argparse
import asyncio
import json
import re
from collections import Counter
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

_ARTICLE = re.compile(r"<(article[-\d]*)>\n(.*?)\n</\1>", re.S)


def first_sentence(text: str) -> str:
    """The article's first sentence, the evidence the fake model quotes."""
    body = text.strip()
    end = body.find(".")
    return body[: end + 1] if end > 0 else body[:200]


def article_text(body: dict[str, Any]) -> str:
    """The fenced article in the first user message (re-asks append messages after it)."""
    user = next(m for m in body["messages"] if m["role"] == "user")
    content = user["content"]
    if isinstance(content, list):
        content = " ".join(part.get("text", "") for part in content)
    match = _ARTICLE.search(content)
    return match.group(2) if match else content


def record_for(text: str) -> dict[str, Any]:
    """The record the fake model 'finds'."""
    return {
        "kind": "ceasefire",
        "status": "agreed",
        "summary": "A ceasefire was agreed.",
        "parties": [
            {"name": "Sudanese Armed Forces", "kind": "armed_forces", "country": "Sudan"},
            {"name": "Rapid Support Forces", "kind": "armed_group", "country": "SD"},
        ],
        "mediators": [
            {"name": "African Union", "kind": "organization", "country": None, "role": "mediator"}
        ],
        "evidence": [first_sentence(text)],
    }


def completion(body: dict[str, Any], records: list[dict[str, Any]]) -> dict[str, Any]:
    """An OpenAI-shaped chat completion carrying `records` in the request's mode."""
    arguments = json.dumps({"records": records})
    tools = body.get("tools") or []
    if tools:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_0",
                    "type": "function",
                    "function": {"name": tools[0]["function"]["name"], "arguments": arguments},
                }
            ],
        }
    else:
        message = {"role": "assistant", "content": arguments}
    return {
        "id": "chatcmpl-fake",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": body.get("model", "fake"),
        "choices": [
            {
                "index": 0,
                "message": message,
                "finish_reason": "tool_calls" if tools else "stop",
                "logprobs": None,
            }
        ],
        "usage": {"prompt_tokens": 1000, "completion_tokens": 100, "total_tokens": 1100},
    }


def build_app(delay: float = 0.0, batch_delay: float = 0.0, **batch_delays: float) -> Starlette:
    """The fake endpoint; `delay` seconds pass before each answer, `batch_delay` before a batch
    completes (the Batch API, and its `batch_delays`: `tests.support.batch_server`)."""
    from tests.support.batch_server import FakeBatches, batch_routes

    calls: Counter[str] = Counter()
    batches = FakeBatches(batch_delay, **batch_delays)

    async def chat(request: Request) -> JSONResponse:
        body = await request.json()
        text = article_text(body)
        calls[first_sentence(text)] += 1
        if delay:
            await asyncio.sleep(delay)
        return JSONResponse(completion(body, [record_for(text)]))

    async def count(_: Request) -> JSONResponse:
        return JSONResponse(
            {
                "total": sum(calls.values()),
                "by_article": dict(calls),
                "batch_requests": dict(batches.requests),
                "batches_created": batches.created,
                "downloads": batches.downloads,
                "batch_lists": batches.lists,
            }
        )

    return Starlette(
        routes=[
            Route("/v1/chat/completions", chat, methods=["POST"]),
            Route("/calls", count, methods=["GET"]),
            *batch_routes(batches),
        ]
    )


def main() -> None:
    """Serve the fake endpoint until killed."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--delay", type=float, default=0.0)
    parser.add_argument("--batch-delay", type=float, default=0.0)
    parser.add_argument("--create-delay", type=float, default=0.0)
    parser.add_argument("--content-delay", type=float, default=0.0)
    args = parser.parse_args()
    app = build_app(
        args.delay,
        args.batch_delay,
        create_delay=args.create_delay,
        content_delay=args.content_delay,
    )
    uvicorn.run(
        app,
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
    )


if __name__ == "__main__":
    main()
