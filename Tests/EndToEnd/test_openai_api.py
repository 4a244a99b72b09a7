"""The OpenAI layer through the official `openai` package and raw SSE."""
import http.client
import json

import openai

from conftest import MODEL


def client(server):
    return openai.OpenAI(base_url=server.base + "/v1/", api_key="ollama")


def test_chat_completion(server):
    answer = client(server).chat.completions.create(model=MODEL, messages=[{"role": "user", "content": "Say hi."}],
                                                   max_tokens=8, temperature=0)
    assert answer.object == "chat.completion"
    assert answer.choices[0].message.content and answer.choices[0].finish_reason in ("stop", "length")
    assert answer.usage.total_tokens == answer.usage.prompt_tokens + answer.usage.completion_tokens


def test_streamed_chat_with_usage(server):
    chunks = list(client(server).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Say hi."}], max_tokens=8, temperature=0,
        stream=True, stream_options={"include_usage": True}))
    assert chunks[0].choices[0].delta.role == "assistant"
    finishes = [c.choices[0].finish_reason for c in chunks if c.choices and c.choices[0].finish_reason]
    assert finishes in (["stop"], ["length"])
    assert chunks[-1].choices == [] and chunks[-1].usage.completion_tokens > 0


def test_sse_framing_ends_with_done(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    body = {"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "stream": True, "max_tokens": 4}
    connection.request("POST", "/v1/chat/completions", body=json.dumps(body))
    response = connection.getresponse()
    assert response.getheader("Content-Type") == "text/event-stream"
    events = [e for e in response.read().decode().split("\n\n") if e]
    assert all(e.startswith("data: ") for e in events)
    assert events[-1] == "data: [DONE]"


def test_completions_and_embeddings_and_models(server):
    c = client(server)
    completion = c.completions.create(model=MODEL, prompt="The sky is", max_tokens=4, temperature=0)
    assert completion.object == "text_completion" and completion.choices[0].finish_reason in ("stop", "length")
    embedding = c.embeddings.create(model=MODEL, input=["a", "b"])
    assert len(embedding.data) == 2 and embedding.data[1].index == 1
    assert MODEL in [m.id for m in c.models.list()]
    assert c.models.retrieve(MODEL).id == MODEL


def test_unknown_model_is_an_openai_404(server):
    try:
        client(server).chat.completions.create(model="absent-model", messages=[{"role": "user", "content": "x"}])
    except openai.NotFoundError as error:
        assert error.body["message"] == "model 'absent-model' not found"
        assert error.body["type"] == "not_found_error"
    else:
        raise AssertionError("expected a 404")


def test_response_format_json_object(server):
    answer = client(server).chat.completions.create(
        model=MODEL, messages=[{"role": "user", "content": "Return a JSON object with a key 'name' for a cat."}],
        max_tokens=200, temperature=0, response_format={"type": "json_object"})
    content = answer.choices[0].message.content
    if answer.choices[0].finish_reason == "stop":
        assert isinstance(json.loads(content), dict)
    else:
        # Cut by max_tokens: still the beginning of a JSON object, never free text.
        assert content.lstrip().startswith("{")
