"""The LLM endpoint, faked over HTTP: chat completions shaped like OpenAI's, for respx."""

import json
from collections.abc import Callable
from typing import Any

import httpx

LLM_BASE_URL = "http://llm.test/v1"


def chat_completion(
    records: list[dict[str, Any]], *, mode: str = "tools", tool: str = "Extraction"
) -> dict[str, Any]:
    """A chat completion shaped like OpenAI's, answering with `records`."""
    arguments = json.dumps({"records": records})
    if mode == "tools":
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": tool, "arguments": arguments},
                }
            ],
        }
        finish = "tool_calls"
    else:
        message = {"role": "assistant", "content": arguments}
        finish = "stop"
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 1_700_000_000,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "message": message, "finish_reason": finish, "logprobs": None}],
        "usage": {"prompt_tokens": 1200, "completion_tokens": 150, "total_tokens": 1350},
    }


def llm_reply(
    records: list[dict[str, Any]] | Callable[[dict[str, Any]], list[dict[str, Any]]],
) -> Callable[[httpx.Request], httpx.Response]:
    """A respx side effect answering each chat request with `records` (or records(request)).

    It answers in the request's own mode: a call of the requested tool, or JSON content.
    """

    def answer(request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        tools = body.get("tools") or []
        chosen = records(body) if callable(records) else records
        if tools:
            name = tools[0]["function"]["name"]
            return httpx.Response(200, json=chat_completion(chosen, tool=name))
        return httpx.Response(200, json=chat_completion(chosen, mode="json"))

    return answer
