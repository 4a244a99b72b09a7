"""Card faults seen over HTTP: the simulator injects them through its environment
(docs/simulated-axmodel.md), the server's card supervision (docs/npu-faults.md) handles them.

Servers of their own, one per fault: a card that fails one execute mid-stream and reboots (with a
CPU fallback model configured); a card listed late after boot that later drops off the bus and is
healed by the ladder's reboot (no fallback: 503 while it recovers); a card that hangs in an execute
under a short watchdog, without and with a fallback model, with requests queued behind the hung
one; a card that hangs in the first load of the model, without and with a fallback model; a card
whose CMM runs out while loading; two cards, the first of which drops off the bus for good, its
model then moved to the second; one card that drops off the bus for good with no other card to take
its model, so the systemd watchdog pings stop.
"""
import json
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import MODEL, Server
from test_operations import NotifySocket
from test_npu_package import PACKAGE_MODEL, MESSAGES, client, package_dir, simulator_library  # noqa: F401

# The execute that fails: past the load's and the first request's executes, inside the second
# request's stream (SmolLM2 has 30 layers, one execute each per token, plus the post model).
FAULT_EXECUTE = 400
# A rebooted card stays out of the device list this long, so the recovering state can be seen.
REBOOT_SECONDS = "4"
# How long the device list stays empty after the runtime starts (the enumeration race after a boot).
LATE_LISTING_SECONDS = 2
# A refusal that does not wait on the card comes back well within this (the watchdog is 2 s).
PROMPT_REFUSAL_SECONDS = 5
# Requests queued behind a hung call are answered within this of the watchdog firing: refused at
# once, or answered in turn by the CPU fallback model (a few tokens each).
QUEUED_ANSWER_SECONDS = 15


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


def simulated_card_server(binary, gguf, package_dir, faults):
    """A server on the simulated card with `faults` in its environment, the package registered."""
    instance = Server(binary, gguf, {
        "AXLLAMA_AXCL_LIBRARY": str(simulator_library(binary)), "OLLAMA_KEEP_ALIVE": "5m", **faults,
    })
    create_package_model(instance, package_dir)
    return instance


def simulated_card_server_fixture(faults):
    """A module fixture: a server on the simulated card with `faults`, stopped after the module."""
    @pytest.fixture(scope="module")
    def fixture(binary, gguf, package_dir):  # noqa: F811
        instance = simulated_card_server(binary, gguf, package_dir, faults)
        yield instance
        instance.stop()
    return fixture


faulty_server = simulated_card_server_fixture({
    "AXSIM_EXECUTE_ERROR_AT": str(FAULT_EXECUTE), "AXSIM_REBOOT_SECONDS": REBOOT_SECONDS,
    "AXLLAMA_FALLBACK_MODEL": MODEL, "AXLLAMA_TELEMETRY_INTERVAL": "500ms",
})
offline_server = simulated_card_server_fixture({
    "AXSIM_DEVICE_LIST_EMPTY_SECONDS": str(LATE_LISTING_SECONDS),
    "AXSIM_OFFLINE_AFTER_EXECUTES": str(FAULT_EXECUTE), "AXSIM_REBOOT_SECONDS": REBOOT_SECONDS,
    "AXLLAMA_TELEMETRY_INTERVAL": "500ms",
})
HANG = {"AXSIM_HANG_AT_EXECUTE": str(FAULT_EXECUTE), "AXLLAMA_ENGINE_TIMEOUT": "2s"}
hanging_server = simulated_card_server_fixture(HANG)
hanging_server_with_fallback = simulated_card_server_fixture({**HANG, "AXLLAMA_FALLBACK_MODEL": MODEL})
# The 5th model file loaded (a layer of the package, in the first load) never returns.
HANG_AT_LOAD = {"AXSIM_HANG_AT_LOAD": "5", "AXLLAMA_ENGINE_TIMEOUT": "2s"}
load_hang_server = simulated_card_server_fixture(HANG_AT_LOAD)
load_hang_server_with_fallback = simulated_card_server_fixture({**HANG_AT_LOAD, "AXLLAMA_FALLBACK_MODEL": MODEL})
# The 10th model file loaded (a layer of the package) and every later one find no CMM.
cmm_short_server = simulated_card_server_fixture({"AXSIM_CMM_EXHAUSTED_AT_LOAD": "10"})
# Two cards; the first drops off the bus at FAULT_EXECUTE and again after every reboot, so its one
# recovery round fails and it is declared failed.
SPARE_CARD = {
    "AXSIM_DEVICE_COUNT": "2", "AXLLAMA_DEVICES": "129,130",
    "AXSIM_OFFLINE_AFTER_EXECUTES": str(FAULT_EXECUTE), "AXSIM_OFFLINE_SURVIVES_REBOOT": "1",
    "AXSIM_REBOOT_SECONDS": "0.2", "AXLLAMA_RECOVERY_ATTEMPTS": "1", "AXLLAMA_TELEMETRY_INTERVAL": "200ms",
}


def listening():
    """A systemd notify socket for one server, closed after its tests."""
    listener = NotifySocket()
    yield listener
    listener.close()


def watched_server(binary, gguf, package_dir, environment, listener):
    """A simulated-card server run as a systemd unit with WatchdogSec=1 would run it."""
    instance = simulated_card_server(binary, gguf, package_dir,
                                     {**environment, "NOTIFY_SOCKET": listener.name, "WATCHDOG_USEC": "1000000"})
    yield instance
    instance.stop()


@pytest.fixture(scope="module")
def spare_card_notify():
    yield from listening()


@pytest.fixture(scope="module")
def spare_card_server(binary, gguf, package_dir, spare_card_notify):  # noqa: F811
    yield from watched_server(binary, gguf, package_dir, SPARE_CARD, spare_card_notify)


def refusal(server, model, stream=False):
    """The HTTP error of a chat that must be refused, its body and the seconds it took."""
    started = time.time()
    with pytest.raises(urllib.error.HTTPError) as failure:
        chat(server, model, 4, stream=stream).read()
    return failure.value.code, json.loads(failure.value.read()), time.time() - started


def concurrent_chats(server, model, num_predicts, head_start=0.5):
    """One chat per entry of `num_predicts`, the first sent `head_start` seconds before the others
    (so that it is the one in flight and the others queue behind it). Per chat, in that order: its
    status, its body (or error body), its X-Axllama-Engine header and when it was answered."""
    results = [None] * len(num_predicts)

    def send(index):
        try:
            with chat(server, model, num_predicts[index], stream=False) as response:
                results[index] = (response.status, json.loads(response.read()), response.headers["X-Axllama-Engine"], time.time())
        except urllib.error.HTTPError as failure:
            results[index] = (failure.code, json.loads(failure.read()), failure.headers.get("X-Axllama-Engine"), time.time())

    threads = [threading.Thread(target=send, args=(index,)) for index in range(len(num_predicts))]
    threads[0].start()
    time.sleep(head_start)
    for thread in threads[1:]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results), "a request was not answered within 120 s"
    return results


def hang_in_flight(server, fallback):
    """A first request answered by the card, then several at once: the first of them hangs in an
    execute and the watchdog fails it; the ones queued behind it are answered as soon as it
    fires, each refused at once naming the card (or, with a fallback model, answered by it)."""
    with chat(server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
    started = time.time()
    hung, *queued = concurrent_chats(server, PACKAGE_MODEL, [400, 4, 4, 4])
    status, body, _, answered = hung
    assert status == 503 and "wedged" in body["error"], body
    assert answered - started < 30
    for status, body, engine, at in queued:
        if fallback:
            assert status == 200 and engine == "cpu-fallback" and body["message"]["content"], body
        else:
            assert status == 503 and "the NPU card axcl:129 is wedged" in body["error"], body
        assert at - answered < QUEUED_ANSWER_SECONDS


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


def test_card_listed_late_then_lost_is_rebooted_and_answers_as_before(offline_server):
    # The device list is empty for a while after the runtime starts: the first request waits for
    # the card instead of failing, and is answered by it.
    started = time.time()
    with chat(offline_server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        expected = json.loads(response.read())["message"]["content"]
    assert time.time() - started >= LATE_LISTING_SECONDS - 0.5
    assert expected

    # The card drops off the bus mid-stream: the stream ends with an error line naming the fault.
    with chat(offline_server, PACKAGE_MODEL, 400, stream=True) as response:
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert "ENGINE_EXECUTE_FAIL" in lines[-1].get("error", ""), lines[-1]

    # While the ladder reboots the card, requests are refused at once with the card's state.
    status, body = health(offline_server)
    assert status == 503 and card_state(body) == "recovering", body
    code, error, seconds = refusal(offline_server, PACKAGE_MODEL)
    assert code == 503 and "the NPU card axcl:129 is recovering" in error["error"], error
    assert seconds < PROMPT_REFUSAL_SECONDS

    # The reboot heals it: the next request is answered by the card with the same greedy text.
    assert wait_for(lambda: health(offline_server)[0] == 200, 60), health(offline_server)
    with chat(offline_server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        assert json.loads(response.read())["message"]["content"] == expected
    device = health(offline_server)[1]["devices"][0]
    assert device["recoveries"] == 1 and device["faults"].get("device fault", 0) >= 1, device
    assert offline_server.process.poll() is None


def test_hung_execute_is_a_503_and_a_wedged_card_while_the_process_stays_up(hanging_server):
    hang_in_flight(hanging_server, fallback=False)
    status, body = health(hanging_server)
    assert status == 503 and card_state(body) == "wedged", body

    # Further requests for the wedged card's model are refused at once, naming the card, and
    # do not wait behind the hung call (streamed or not).
    for stream in (False, True):
        code, error, seconds = refusal(hanging_server, PACKAGE_MODEL, stream=stream)
        assert code == 503, error
        assert "the NPU card axcl:129 is wedged" in error["error"] and "restart axllama" in error["error"], error
        assert seconds < PROMPT_REFUSAL_SECONDS
    assert hanging_server.process.poll() is None
    # CPU models keep answering.
    with chat(hanging_server, MODEL, 2, stream=False) as response:
        assert json.loads(response.read())["done"]

    # SIGTERM still exits promptly: unloading the wedged card's model does not wait for the hung call.
    hanging_server.process.terminate()
    assert hanging_server.process.wait(timeout=20) == 0


def test_wedged_card_with_a_fallback_answers_from_the_cpu(hanging_server_with_fallback):
    server = hanging_server_with_fallback
    hang_in_flight(server, fallback=True)
    started = time.time()
    with chat(server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "cpu-fallback"
        assert json.loads(response.read())["message"]["content"]
    assert time.time() - started < 30
    status, body = health(server)
    assert status == 503 and card_state(body) == "wedged", body
    assert "axllama_cpu_fallback_total" in metrics(server)
    assert server.process.poll() is None


def test_load_that_never_returns_wedges_the_card_and_fails_the_requests_waiting_for_it(load_hang_server):
    server = load_hang_server
    # Three requests for the model at once: the first starts the load, the others wait for it;
    # when a file's load overruns the watchdog, all three are refused, naming the card and the call.
    started = time.time()
    for status, body, _, answered in concurrent_chats(server, PACKAGE_MODEL, [4, 4, 4], head_start=0.2):
        assert status == 503, body
        assert "the NPU card axcl:129 is wedged" in body["error"] and "axclrtEngineLoadFromFile of layer" in body["error"], body
        assert answered - started < 30
    status, body = health(server)
    assert status == 503 and card_state(body) == "wedged", body
    assert "loading" in body["devices"][0]["detail"] and body["devices"][0]["faults"].get("timeout") == 1, body

    # The next request is refused at once, without waiting on the card's stuck thread.
    code, error, seconds = refusal(server, PACKAGE_MODEL)
    assert code == 503 and "the NPU card axcl:129 is wedged" in error["error"], error
    assert seconds < PROMPT_REFUSAL_SECONDS
    assert 'reason="device_unavailable"' in metrics(server)
    # CPU models keep answering, and SIGTERM still exits: releasing the card gives up on the hung call.
    with chat(server, MODEL, 2, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "cpu"
    assert server.process.poll() is None
    server.process.terminate()
    assert server.process.wait(timeout=20) == 0


def test_load_that_never_returns_with_a_fallback_answers_from_the_cpu(load_hang_server_with_fallback):
    server = load_hang_server_with_fallback
    started = time.time()
    for status, body, engine, answered in concurrent_chats(server, PACKAGE_MODEL, [4, 4, 4], head_start=0.2):
        assert status == 200 and engine == "cpu-fallback" and body["message"]["content"], body
        assert answered - started < 30 + QUEUED_ANSWER_SECONDS
    status, body = health(server)
    assert status == 503 and card_state(body) == "wedged", body
    assert server.process.poll() is None


def test_cmm_exhausted_while_loading_fails_only_that_load(cmm_short_server):
    server = cmm_short_server
    with pytest.raises(urllib.error.HTTPError) as failure:
        chat(server, PACKAGE_MODEL, 4, stream=False).read()
    assert failure.value.code == 500
    assert "ENGINE_NO_MEMORY" in json.loads(failure.value.read())["error"]
    # The card is not at fault: it stays ready, with nothing of the aborted load left on it.
    status, body = health(server)
    device = body["devices"][0]
    assert device["state"] == "ready" and device["cmm_used_bytes"] == 0, body
    with chat(server, MODEL, 2, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "cpu"
        assert json.loads(response.read())["done"]
    assert server.process.poll() is None


def test_model_of_a_card_that_fails_for_good_moves_to_the_spare_card(spare_card_server, spare_card_notify):
    server = spare_card_server
    with chat(server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        expected = json.loads(response.read())["message"]["content"]
    assert expected

    # The first card drops off the bus mid-stream and never heals.
    with chat(server, PACKAGE_MODEL, 400, stream=True) as response:
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert "ENGINE_EXECUTE_FAIL" in lines[-1].get("error", ""), lines[-1]

    # Once its recovery has given up, the model is moved to the second card: /health names the
    # failed card (still a reason to be unavailable: it needs a person) and where its model went.
    def moved():
        status, body = health(server)
        first = body["devices"][0]
        return (status, body) if first["state"] == "failed" and "was moved to axcl:130" in (first["detail"] or "") else None
    found = wait_for(moved, 60)
    assert found, health(server)
    status, body = found
    assert status == 503 and body["devices"][1]["state"] == "ready", body
    with open(server.log.name) as log:
        assert "was moved off axcl:129, which failed, to axcl:130" in log.read()

    # It answers from the second card with the same greedy text as before the fault.
    started = time.time()
    with chat(server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        assert json.loads(response.read())["message"]["content"] == expected
    assert time.time() - started < 30

    # /api/ps reports the CMM it holds on the second card, which /health sees there.
    with urllib.request.urlopen(server.base + "/api/ps", timeout=10) as response:
        size = {m["model"]: m for m in json.loads(response.read())["models"]}[PACKAGE_MODEL]["size_vram"]
    assert size > 0
    assert wait_for(lambda: health(server)[1]["devices"][1]["cmm_used_bytes"] == size, 10), (size, health(server))

    # The failed card blocks no model, so a restart would not help: the watchdog pings go on.
    assert health(server)[1]["devices"][0]["blocked_models"] == []
    pings = spare_card_notify.lines.count("WATCHDOG=1")
    lines = spare_card_notify.wait_for(10, lambda ls: ls.count("WATCHDOG=1") >= pings + 3)
    assert lines.count("WATCHDOG=1") >= pings + 3, lines[-10:]
    assert server.process.poll() is None


# A restart or a boot with one configured card gone: 131 is not in the simulated device list.
missing_card_server = simulated_card_server_fixture({"AXSIM_DEVICE_COUNT": "1", "AXLLAMA_DEVICES": "131,129"})


def test_configured_card_missing_at_start_is_shown_failed_while_the_other_serves(missing_card_server):
    server = missing_card_server
    # The cards open with the first package request, after the wait for a late device list.
    with chat(server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
        assert json.loads(response.read())["message"]["content"]
    status, body = health(server)
    devices = {device["name"]: device for device in body["devices"]}
    assert devices["axcl:129"]["state"] == "ready", body
    missing = devices["axcl:131"]
    assert missing["state"] == "failed" and "not in the runtime's device list" in missing["detail"], body
    assert missing["blocked_models"] == [] and status == 503, body
    with open(server.log.name) as log:
        assert "NPU device 131 is not used" in log.read()
    assert server.process.poll() is None


# One card that drops off the bus at FAULT_EXECUTE and again after every reboot, with no other
# card to take its model: its one recovery round fails and it is declared failed.
LONE_FAILING_CARD = {key: value for key, value in SPARE_CARD.items() if key not in ("AXSIM_DEVICE_COUNT", "AXLLAMA_DEVICES")}
# The pings go out every half of WATCHDOG_USEC (1 s here); silence over this long is several missed.
PING_SILENCE_SECONDS = 3


@pytest.fixture(scope="module")
def lone_card_notify():
    yield from listening()


@pytest.fixture(scope="module")
def lone_failing_card_server(binary, gguf, package_dir, lone_card_notify):  # noqa: F811
    yield from watched_server(binary, gguf, package_dir, LONE_FAILING_CARD, lone_card_notify)


def test_card_that_fails_for_good_holding_the_only_copy_of_a_model_stops_the_watchdog_pings(
        lone_failing_card_server, lone_card_notify, package_dir):  # noqa: F811
    server = lone_failing_card_server
    with chat(server, PACKAGE_MODEL, 4, stream=False) as response:
        assert response.headers["X-Axllama-Engine"] == "npu"
    # While the card serves, the pings go out.
    pings = lone_card_notify.lines.count("WATCHDOG=1")
    lines = lone_card_notify.wait_for(10, lambda ls: ls.count("WATCHDOG=1") >= pings + 2)
    assert lines.count("WATCHDOG=1") >= pings + 2, lines[-10:]

    # The card drops off the bus mid-stream and never heals.
    with chat(server, PACKAGE_MODEL, 400, stream=True) as response:
        lines = [json.loads(line) for line in response.read().splitlines() if line.strip()]
    assert "ENGINE_EXECUTE_FAIL" in lines[-1].get("error", ""), lines[-1]

    # Once its recovery has given up, /health names the model that nothing else can serve.
    def failed():
        status, body = health(server)
        return (status, body) if card_state(body) == "failed" else None
    found = wait_for(failed, 60)
    assert found, health(server)
    status, body = found
    # The card names the model as its package does (config.json's model_name).
    with open(package_dir / "config.json") as config:
        package_model_name = json.load(config)["model_name"]
    assert status == 503 and body["devices"][0]["blocked_models"] == [package_model_name], body

    # A restart could bring the card back, so the pings stop and systemd's watchdog restarts the
    # service. The lifecycle loop sees the failed card at its next poll (half a second here); a
    # ping it sent before then is not counted.
    time.sleep(1)
    pings = lone_card_notify.lines.count("WATCHDOG=1")
    time.sleep(PING_SILENCE_SECONDS)
    assert lone_card_notify.lines.count("WATCHDOG=1") == pings, lone_card_notify.lines[-10:]
    assert health(server)[1]["devices"][0]["state"] == "failed"
    assert server.process.poll() is None
