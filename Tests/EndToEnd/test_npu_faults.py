"""Card faults seen over HTTP: the simulator injects them through its environment
(docs/simulated-axmodel.md), the server's card supervision (docs/npu-faults.md) handles them.

Two servers of their own: one whose card fails one execute mid-stream and reboots (with a CPU
fallback model configured), one whose card hangs in an execute under a short watchdog.
"""
import json
import time
import urllib.error
import urllib.request

import pytest

from conftest import MODEL, Server
from test_npu_package import PACKAGE_MODEL, MESSAGES, client, package_dir, simulator_library  # noqa: F401

# The execute that fails: past the load's and the first request's executes, inside the second
# request's stream (SmolLM2 has 30 layers, one execute each per token, plus the post model).
FAULT_EXECUTE = 400
# A rebooted card stays out of the device list this long, so the recovering state can be seen.
REBOOT_SECONDS = "4"


def post(server, path, body, timeout=120):
    request = urllib.request.Request(server.base + path, data=json.dumps(body).encode(), method="POST")
    return urllib.request.urlopen(request, timeout=timeout)


def health(server):
    try:
        with urllib.request.urlopen(server.base + "/health", timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as failure:
        return failure.code, json.loads(failure.read())


def card_state(body):
    """The state of the one simulated card in a /health body (None while no card is open)."""
    devices = body.get("devices", [])
    return devices[0]["state"] if devices else None


def metrics(server):
    with urllib.request.urlopen(server.base + "/metrics", timeout=10) as response:
        return response.read().decode()


def wait_for(predicate, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    return None


def create_package_model(server, directory):
    post(server, "/api/create", {"model": PACKAGE_MODEL, "from": str(directory), "stream": False}, timeout=300).read()


def chat(server, model, num_predict, stream):
    body = {"model": model, "messages": MESSAGES, "stream": stream,
            "options": {"temperature": 0, "num_predict": num_predict}}
    return post(server, "/api/chat", body)


@pytest.fixture(scope="module")
def faulty_server(binary, gguf, package_dir):  # noqa: F811
    instance = Server(binary, gguf, {
        "AXLLAMA_AXCL_LIBRARY": str(simulator_library(binary)), "OLLAMA_KEEP_ALIVE": "5m",
        "AXSIM_EXECUTE_ERROR_AT": str(FAULT_EXECUTE), "AXSIM_REBOOT_SECONDS": REBOOT_SECONDS,
        "AXLLAMA_FALLBACK_MODEL": MODEL, "AXLLAMA_TELEMETRY_INTERVAL": "500ms",
    })
    create_package_model(instance, package_dir)
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def hanging_server(binary, gguf, package_dir):  # noqa: F811
    instance = Server(binary, gguf, {
        "AXLLAMA_AXCL_LIBRARY": str(simulator_library(binary)), "OLLAMA_KEEP_ALIVE": "5m",
        "AXSIM_HANG_AT_EXECUTE": str(FAULT_EXECUTE), "AXLLAMA_ENGINE_TIMEOUT": "2s",
    })
    create_package_model(instance, package_dir)
    yield instance
    instance.stop()


def test_device_fault_mid_stream_recovers_with_fallback_meanwhile(faulty_server):
    # The first request loads the package and answers from the card.
    with chat(faulty_server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        expected = json.loads(response.read())["message"]["content"]
    status, body = health(faulty_server)
    assert status == 200 and card_state(body) == "ready", body
    assert 'state="ready"} 1' in metrics(faulty_server)

    # The second one streams until the injected execute fails: the stream ends with an error line.
    with chat(faulty_server, PACKAGE_MODEL, 400, stream=True) as response:
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert "error" in lines[-1], lines[-1]
    assert any(line.get("message", {}).get("content") for line in lines[:-1])

    # The card reboots: /health says so with 503, and the fallback model answers meanwhile.
    status, body = health(faulty_server)
    assert status == 503 and card_state(body) == "recovering", body
    with chat(faulty_server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "cpu-fallback"
        assert json.loads(response.read())["message"]["content"]

    # After the reboot the card is back and answers as before the fault.
    assert wait_for(lambda: health(faulty_server)[0] == 200, 60), health(faulty_server)
    with chat(faulty_server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        assert json.loads(response.read())["message"]["content"] == expected
    assert faulty_server.process.poll() is None


def test_hung_execute_is_a_503_and_a_wedged_card_while_the_process_stays_up(hanging_server):
    with chat(hanging_server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
    started = time.time()
    with pytest.raises(urllib.error.HTTPError) as failure:
        chat(hanging_server, PACKAGE_MODEL, 400, stream=False).read()
    assert failure.value.code == 503
    assert "error" in json.loads(failure.value.read())
    assert time.time() - started < 30
    status, body = health(hanging_server)
    assert status == 503 and card_state(body) == "wedged", body
    assert hanging_server.process.poll() is None
    # CPU models keep answering.
    with chat(hanging_server, MODEL, 2, stream=False) as response:
        assert json.loads(response.read())["done"]
