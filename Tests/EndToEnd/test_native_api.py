"""The native API through the official `ollama` package and raw HTTP."""
import http.client
import json
import threading
import time
import urllib.request

import ollama
import pytest

from conftest import MODEL

GREEDY = {"temperature": 0, "num_predict": 12}


def raw(server, method, path, body=None, headers=None):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
    connection.request(method, path, body=data, headers=headers or {})
    response = connection.getresponse()
    payload = response.read()
    connection.close()
    return response.status, dict((k.lower(), v) for k, v in response.getheaders()), payload


def hang_up(connection, response=None):
    """Closes the socket under a request. An answer marked `Connection: close` owns the socket
    once its headers are read, so it is closed through the response."""
    if response is not None:
        response.close()
    if connection.sock is not None:
        connection.sock.close()
    connection.close()


def test_root_and_version(server):
    status, headers, body = raw(server, "GET", "/")
    assert status == 200 and body == b"Ollama is running"
    status, _, body = raw(server, "GET", "/api/version")
    assert status == 200 and json.loads(body)["version"].startswith("0.")


def test_list_and_show(server):
    client = ollama.Client(host=server.base)
    models = client.list().models
    assert [m.model for m in models] == [MODEL]
    assert models[0].details.family == "llama" and models[0].details.quantization_level == "Q4_1"
    shown = client.show(MODEL)
    assert shown.modelinfo["general.architecture"] == "llama"
    assert "completion" in shown.capabilities


def test_generate_streams_tokens_and_final_metrics(server):
    client = ollama.Client(host=server.base)
    chunks = list(client.generate(model=MODEL, prompt="Say hello.", stream=True, options=GREEDY))
    assert len(chunks) > 2
    final = chunks[-1]
    assert final.done and final.done_reason in ("stop", "length")
    assert final.total_duration > 0 and final.load_duration >= 1 and final.eval_count > 0
    assert final.prompt_eval_duration > 0 and final.eval_duration > 0 and final.context
    assert "".join(c.response for c in chunks).strip()


def test_generate_is_deterministic_with_greedy_sampling(server):
    client = ollama.Client(host=server.base)
    first = client.generate(model=MODEL, prompt="Name a colour.", options=GREEDY)
    second = client.generate(model=MODEL, prompt="Name a colour.", options=GREEDY)
    assert first.response == second.response and first.response.strip()


def test_chat_stream_and_non_stream(server):
    client = ollama.Client(host=server.base)
    messages = [{"role": "user", "content": "What is 2+2?"}]
    whole = client.chat(model=MODEL, messages=messages, options=GREEDY)
    assert whole.message.role == "assistant" and whole.message.content.strip()
    streamed = list(client.chat(model=MODEL, messages=messages, options=GREEDY, stream=True))
    assert all(c.message.role == "assistant" for c in streamed)
    assert "".join(c.message.content for c in streamed) == whole.message.content


def test_one_client_keeps_working_across_streamed_and_whole_answers(server):
    # A keep-alive client (the ollama library reuses its connection) must never send a request
    # into a connection the server is closing: every answer that ends its connection says so.
    client = ollama.Client(host=server.base)
    short = {"temperature": 0, "num_predict": 3}
    for stream in (True, False, True, True, False, False):
        chat = client.chat(model=MODEL, messages=[{"role": "user", "content": "Hi"}], options=short, stream=stream)
        generated = client.generate(model=MODEL, prompt="Hi", options=short, stream=stream)
        if stream:
            assert list(chat)[-1].done and list(generated)[-1].done
        else:
            assert chat.done and generated.done
        assert any(m.model.startswith(MODEL.split(":")[0]) for m in client.list().models)


def test_generation_answers_announce_that_the_connection_closes(server):
    for stream in (False, True):
        status, headers, _ = raw(server, "POST", "/api/generate",
                                 {"model": MODEL, "prompt": "Hi", "stream": stream, "options": {"num_predict": 2}})
        assert status == 200 and headers.get("connection") == "close"


def test_ndjson_framing_is_one_object_per_line(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    connection.request("POST", "/api/chat", body=json.dumps({"model": MODEL, "messages": [{"role": "user", "content": "hi"}], "options": GREEDY}))
    response = connection.getresponse()
    assert response.status == 200 and response.getheader("Content-Type") == "application/x-ndjson"
    lines = response.read().decode().split("\n")
    assert lines[-1] == ""
    objects = [json.loads(line) for line in lines[:-1]]
    assert all(line for line in lines[:-1])
    assert objects[-1]["done"] is True and "done_reason" in objects[-1]
    assert all(o["done"] is False for o in objects[:-1])


def test_error_bodies_follow_the_contract(server):
    assert raw(server, "POST", "/api/generate", b"")[::2] == (400, b'{"error":"missing request body"}')
    status, _, body = raw(server, "POST", "/api/generate", {"model": "absent-model", "prompt": "x"})
    assert status == 404 and json.loads(body) == {"error": "model 'absent-model' not found"}
    status, headers, body = raw(server, "GET", "/api/chat")
    assert status == 405 and headers["allow"] == "POST" and body == b"405 method not allowed"
    status, _, body = raw(server, "GET", "/api/nothing")
    assert status == 404 and body == b"404 page not found"
    with pytest.raises(ollama.ResponseError) as error:
        ollama.Client(host=server.base).chat(model="absent-model", messages=[{"role": "user", "content": "x"}])
    assert error.value.status_code == 404 and "not found" in error.value.error


def test_embed(server):
    client = ollama.Client(host=server.base)
    result = client.embed(model=MODEL, input=["one", "two"])
    assert len(result.embeddings) == 2
    norm = sum(v * v for v in result.embeddings[0]) ** 0.5
    assert abs(norm - 1) < 1e-3


def test_keep_alive_load_and_unload_are_visible_in_ps(server):
    client = ollama.Client(host=server.base)
    loaded = client.generate(model=MODEL, prompt="", keep_alive="10m")
    assert loaded.done_reason == "load"
    assert [m.model for m in client.ps().models] == [MODEL]
    unloaded = client.generate(model=MODEL, prompt="", keep_alive=0)
    assert unloaded.done_reason == "unload"
    deadline = time.time() + 10
    while client.ps().models and time.time() < deadline:
        time.sleep(0.1)
    assert client.ps().models == []


def test_client_disconnect_frees_the_engine(server):
    connection = http.client.HTTPConnection("127.0.0.1", server.port, timeout=120)
    body = {"model": MODEL, "prompt": "Write a very long story about a lighthouse.", "options": {"num_predict": 2000, "temperature": 0.7}}
    connection.request("POST", "/api/generate", body=json.dumps(body))
    response = connection.getresponse()
    response.readline()
    response.readline()
    hang_up(connection, response)
    start = time.time()
    answer = ollama.Client(host=server.base, timeout=60).generate(model=MODEL, prompt="Hi", options={"num_predict": 4})
    assert answer.done
    # Had the abandoned generation continued, this would wait for up to 2000 tokens.
    assert time.time() - start < 15


def test_four_concurrent_chats_complete(server):
    results = [None] * 4

    def chat(index):
        client = ollama.Client(host=server.base, timeout=300)
        results[index] = client.chat(model=MODEL, messages=[{"role": "user", "content": f"Count to {index + 2}."}],
                                     options={"temperature": 0, "num_predict": 16})

    threads = [threading.Thread(target=chat, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert all(r is not None and r.done and r.message.content for r in results)


def test_queue_full_answers_503(busy_server):
    body = json.dumps({"model": MODEL, "prompt": "Tell me a long story.", "options": {"num_predict": 2000}})
    running = http.client.HTTPConnection("127.0.0.1", busy_server.port, timeout=300)
    running.request("POST", "/api/generate", body=body)
    first = running.getresponse()
    assert json.loads(first.readline())["done"] is False
    # The second request waits for the model (OLLAMA_MAX_QUEUE=1): its answer has not started.
    waiting = http.client.HTTPConnection("127.0.0.1", busy_server.port, timeout=300)
    waiting.request("POST", "/api/generate", body=body)
    time.sleep(0.5)
    status, _, payload = raw(busy_server, "POST", "/api/generate", {"model": MODEL, "prompt": "x"})
    assert status == 503
    assert json.loads(payload) == {"error": "server busy, please try again.  maximum pending requests exceeded"}
    hang_up(running, first)
    hang_up(waiting)
    # Both abandoned requests give the model back (the queue may still be full for a moment).
    deadline = time.time() + 30
    while True:
        try:
            answer = ollama.Client(host=busy_server.base, timeout=120).generate(model=MODEL, prompt="Hi", options={"num_predict": 2})
            break
        except ollama.ResponseError as error:
            assert error.status_code == 503 and time.time() < deadline
            time.sleep(0.2)
    assert answer.done


def test_create_copy_delete(server):
    client = ollama.Client(host=server.base)
    client.create(model="terse", from_=MODEL, system="Answer in one word.", parameters={"temperature": 0})
    assert "Answer in one word." in client.show("terse").modelfile
    client.copy("terse", "terse-copy")
    names = {m.model for m in client.list().models}
    assert {"terse:latest", "terse-copy:latest"} <= names
    client.delete("terse")
    client.delete("terse-copy")
    assert {m.model for m in client.list().models} == {MODEL}


def test_pull_of_unknown_model_fails_cleanly(server):
    with pytest.raises(ollama.ResponseError) as error:
        list(ollama.Client(host=server.base).pull("no-such-model", stream=True))
    assert "does not exist" in error.value.error


def test_format_json_and_schema_constrain_the_answer(server):
    client = ollama.Client(host=server.base)
    answer = client.generate(model=MODEL, prompt="Give a JSON object with a name and an age.", format="json",
                             options={"temperature": 0, "num_predict": 80})
    assert isinstance(json.loads(answer.response), dict)
    schema = {"type": "object", "properties": {"colour": {"type": "string", "enum": ["red", "green", "blue"]}},
              "required": ["colour"]}
    chat = client.chat(model=MODEL, messages=[{"role": "user", "content": "Pick a colour."}], format=schema,
                       options={"temperature": 0, "num_predict": 80})
    assert json.loads(chat.message.content)["colour"] in ("red", "green", "blue")
