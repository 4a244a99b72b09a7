"""Unattended operation with an NPU package on the simulated card, over HTTP against the real
binary: the thermal guard (too hot → 503 → ok; `cap` and `delay` above the high threshold), the
device gauges following the card's telemetry, the CMM floor refusing a load, and SIGTERM during a
stream releasing the card.

The simulator is steered and inspected from outside the server process through two files
(docs/simulated-axmodel.md): AXSIM_TELEMETRY_FILE sets the card's temperature and loads while the
server runs; AXSIM_REPORT_FILE is where the simulator writes, at axclFinalize and at exit, what
the process still held on the card.

Three servers of their own, one per configuration: `cap` (also stopped by SIGTERM at the end),
`delay`, and a card whose CMM is too small for the package.
"""
import json
import os
import signal
import tempfile
import threading
import time
import urllib.error
from pathlib import Path

import pytest

from conftest import MODEL, Server
from test_npu_faults import create_package_model, health, metrics, post, wait_for
from test_npu_package import PACKAGE_MODEL, package_dir, simulator_library  # noqa: F401
from test_operations import parse_metrics, value

CAP = 4
GRACE_SECONDS = 6
COOL = 50000  # milli-°C, near the card's load temperature (axera.md §1.9)
# A prompt whose greedy answer runs well past CAP tokens.
STORY = "Tell me a long story about a dragon who learns to fly."


class SimulatedCard:
    """The files through which a test talks to the simulator inside the server process."""

    def __init__(self):
        directory = Path(tempfile.mkdtemp(prefix="axllama-sim-"))
        self.telemetry = directory / "telemetry"
        self.report_path = directory / "report.json"
        self.set(temperature=COOL)

    def environment(self, binary):
        return {"AXLLAMA_AXCL_LIBRARY": str(simulator_library(binary)), "AXSIM_TELEMETRY_FILE": str(self.telemetry),
                "AXSIM_REPORT_FILE": str(self.report_path)}

    def set(self, temperature, npu_loading=None, cpu_loading=None):
        lines = [f"AXSIM_TEMPERATURE_MC={temperature}"]
        if npu_loading is not None:
            lines.append(f"AXSIM_NPU_LOADING={npu_loading}")
        if cpu_loading is not None:
            lines.append(f"AXSIM_CPU_LOADING={cpu_loading}")
        staging = self.telemetry.with_suffix(".new")
        staging.write_text("\n".join(lines) + "\n")
        os.replace(staging, self.telemetry)  # the simulator never sees a half-written file

    def report(self):
        return json.loads(self.report_path.read_text()) if self.report_path.is_file() else None


def start(binary, gguf, card, directory, **settings):
    environment = {"OLLAMA_KEEP_ALIVE": "5m", "AXLLAMA_TELEMETRY_INTERVAL": "200ms", "AXLLAMA_STATUS_INTERVAL": "1",
                   "AXLLAMA_SHUTDOWN_GRACE": str(GRACE_SECONDS), **card.environment(binary), **settings}
    instance = Server(binary, gguf, environment)
    create_package_model(instance, directory)
    return instance


def stop(instance):
    if instance.process.poll() is None:
        instance.stop()
    else:
        instance.log.close()


def generate(server, model, num_predict, prompt=STORY, timeout=120):
    """(status, headers, body) of a non-streamed greedy generate."""
    body = {"model": model, "prompt": prompt, "stream": False, "options": {"temperature": 0, "num_predict": num_predict}}
    try:
        with post(server, "/api/generate", body, timeout=timeout) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as failure:
        return failure.code, failure.headers, json.loads(failure.read())


def card_temperature(server):
    devices = health(server)[1].get("devices", [])
    return devices[0]["temperature_celsius"] if devices else None


def device_gauge(server, name):
    return value(parse_metrics(metrics(server)), name)


def assert_card_released(card, seconds=5):
    """The exit report: the runtime finalized once, and nothing of the process left on the card."""
    report = wait_for(lambda: (r := card.report()) and r["event"] == "exit" and r, seconds)
    assert report, f"no exit report from the simulator: {card.report()}"
    assert report["inits"] == 1 and report["finalizes"] == 1 and not report["initialized"], report
    for count in ("contexts", "active_devices", "engines_initialized", "models", "io_infos", "ios", "device_allocations",
                  "device_bytes", "host_allocations"):
        assert report[count] == 0, f"{count} still alive at exit: {report}"
    # Freed by the model's unload rather than swept up by the device reset.
    assert report["leaked_at_reset"] == 0, report
    assert all(d["cmm_used_bytes"] == 0 for d in report["devices"]), report


@pytest.fixture(scope="module")
def capping_card():
    return SimulatedCard()


@pytest.fixture(scope="module")
def capping(binary, gguf, package_dir, capping_card):  # noqa: F811
    instance = start(binary, gguf, capping_card, package_dir, AXLLAMA_HIGH_TEMP_ACTION="cap",
                     AXLLAMA_HIGH_TEMP_NUM_PREDICT=str(CAP))
    # The first request loads the package, which opens the card: from then on it reports telemetry.
    status, headers, _ = generate(instance, PACKAGE_MODEL, 2)
    assert status == 200 and headers["X-Axllama-Engine"] == "npu"
    yield instance
    stop(instance)


def test_too_hot_card_refuses_with_503_until_it_cools(capping, capping_card):
    assert wait_for(lambda: card_temperature(capping) == COOL / 1000, 30), health(capping)
    assert health(capping)[0] == 200

    capping_card.set(temperature=97000)
    assert wait_for(lambda: health(capping)[0] == 503, 30), health(capping)
    status, body = health(capping)
    assert body["status"] == "unavailable"
    assert "the NPU card axcl:129 is too hot (97 °C, limit 95 °C)" in body["reason"], body
    assert body["devices"][0]["temperature_celsius"] == 97
    status, _, answer = generate(capping, PACKAGE_MODEL, 2)
    assert status == 503
    assert set(answer) == {"error"} and "is too hot (97 °C, limit 95 °C)" in answer["error"]
    samples = parse_metrics(metrics(capping))
    assert value(samples, "axllama_rejected_requests_total", reason="too_hot") >= 1
    assert value(samples, "axllama_device_temperature_celsius", device="axcl:129") == 97

    capping_card.set(temperature=COOL)
    assert wait_for(lambda: health(capping)[0] == 200, 30), health(capping)
    status, headers, answer = generate(capping, PACKAGE_MODEL, 3)
    assert status == 200 and headers["X-Axllama-Engine"] == "npu"
    assert answer["done"] and answer["response"]


def test_hot_card_caps_num_predict_and_the_cap_lifts_when_it_cools(capping, capping_card):
    capping_card.set(temperature=88000)
    assert wait_for(lambda: card_temperature(capping) == 88, 30), health(capping)
    # Hot but below the critical threshold: ready, and generations run capped.
    assert health(capping)[0] == 200
    status, _, answer = generate(capping, PACKAGE_MODEL, 12)
    assert status == 200
    assert 0 < answer["eval_count"] <= CAP

    capping_card.set(temperature=COOL)
    assert wait_for(lambda: card_temperature(capping) == COOL / 1000, 30), health(capping)
    status, _, answer = generate(capping, PACKAGE_MODEL, 12)
    assert status == 200
    assert answer["eval_count"] > CAP


def test_device_gauges_follow_the_simulated_telemetry(capping, capping_card):
    capping_card.set(temperature=63000, npu_loading=5000, cpu_loading=1500)
    expected = {"axllama_device_temperature_celsius": 63, "axllama_device_npu_load_percent": 50,
                "axllama_device_cpu_load_percent": 15}
    assert wait_for(lambda: all(device_gauge(capping, name) == figure for name, figure in expected.items()), 30), metrics(capping)
    samples = parse_metrics(metrics(capping))
    assert value(samples, "axllama_device_state", device="axcl:129", state="ready") == 1
    assert value(samples, "axllama_device_cmm_used_bytes", device="axcl:129") > 0
    assert value(samples, "axllama_device_cmm_total_bytes", device="axcl:129") == 7040 << 20
    capping_card.set(temperature=COOL)


def test_sigterm_during_an_npu_stream_ends_it_and_releases_the_card(capping, capping_card):
    """Runs last in this module: it stops the `cap` server."""
    assert capping_card.report() is None, "the simulator reported before the server stopped"
    body = {"model": PACKAGE_MODEL, "prompt": STORY, "options": {"num_predict": 100000, "temperature": 0.8}}
    response = post(capping, "/api/generate", body)
    assert response.headers["X-Axllama-Engine"] == "npu"
    assert json.loads(response.readline())["done"] is False
    started = time.time()
    capping.process.send_signal(signal.SIGTERM)
    lines = [line for line in response.read().decode().split("\n") if line]
    assert lines, "the stream ended without a final line"
    final = json.loads(lines[-1])
    assert final.get("error") == "the server is shutting down" or final.get("done") is True, final
    assert capping.process.wait(timeout=GRACE_SECONDS + 10) == 0
    elapsed = time.time() - started
    assert elapsed < GRACE_SECONDS + 1, f"exit took {elapsed:.1f}s, longer than the grace period"
    assert_card_released(capping_card)
    capping.log.flush()
    assert "stopped: models unloaded, NPU cards released" in Path(capping.log.name).read_text()


@pytest.fixture(scope="module")
def delaying_card():
    return SimulatedCard()


@pytest.fixture(scope="module")
def delaying(binary, gguf, package_dir, delaying_card):  # noqa: F811
    instance = start(binary, gguf, delaying_card, package_dir, AXLLAMA_HIGH_TEMP_ACTION="delay",
                     AXLLAMA_HIGH_TEMP_NUM_PREDICT=str(CAP))
    status, _, _ = generate(instance, PACKAGE_MODEL, 2)
    assert status == 200
    yield instance
    stop(instance)


def test_delay_holds_a_new_generation_until_the_card_cools_then_runs_it_uncapped(delaying, delaying_card):
    delaying_card.set(temperature=88000)
    assert wait_for(lambda: card_temperature(delaying) == 88, 30), health(delaying)
    outcome = {}

    def ask():
        outcome["answer"] = generate(delaying, PACKAGE_MODEL, 12)
        outcome["at"] = time.time()

    asking = threading.Thread(target=ask)
    asking.start()
    # Held while hot: no answer within two seconds (the longest wait is 30 s).
    asking.join(timeout=2)
    assert asking.is_alive(), f"answered while the card was hot: {outcome}"
    cooled_at = time.time()
    delaying_card.set(temperature=COOL)
    asking.join(timeout=60)
    assert not asking.is_alive()
    status, headers, answer = outcome["answer"]
    assert status == 200 and headers["X-Axllama-Engine"] == "npu"
    assert outcome["at"] >= cooled_at
    # It ran after the card cooled, so without the cap.
    assert answer["eval_count"] > CAP


@pytest.fixture(scope="module")
def small_card():
    return SimulatedCard()


@pytest.fixture(scope="module")
def small(binary, gguf, package_dir, small_card):  # noqa: F811
    # 200 MiB of CMM: the package's weights fit, but not with the default 128 MiB floor on top.
    instance = start(binary, gguf, small_card, package_dir, AXSIM_CMM_MIB="200")
    yield instance
    stop(instance)


def test_load_that_would_breach_the_cmm_floor_is_refused_and_the_server_stays_up(small, small_card):
    status, _, answer = generate(small, PACKAGE_MODEL, 2)
    assert status == 500, answer
    assert set(answer) == {"error"}
    assert "200 MiB CMM free" in answer["error"] and "128 MiB must stay free (AXLLAMA_CMM_FLOOR_MIB)" in answer["error"], answer

    # /health names the refusal; the card holds nothing and CPU models still answer.
    status, body = health(small)
    assert status == 200, body
    refused = [m for m in body["models"] if m["state"] == "failed"]
    assert [m["name"] for m in refused] == [f"registry.ollama.ai/library/{PACKAGE_MODEL}"], body
    assert refused[0]["error"] == answer["error"]
    device = body["devices"][0]
    assert device["cmm_total_bytes"] == 200 << 20 and device["cmm_used_bytes"] == 0, device
    status, _, cpu = generate(small, MODEL, 2)
    assert status == 200 and cpu["done"]
    assert small.process.poll() is None

    small.process.send_signal(signal.SIGTERM)
    assert small.process.wait(timeout=GRACE_SECONDS + 10) == 0
    assert_card_released(small_card)
