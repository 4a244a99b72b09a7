"""Unattended operation against the real binary: /health, /metrics, systemd notify, SIGTERM drain."""
import json
import os
import re
import signal
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.request

import pytest

from conftest import MODEL, Server

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse_metrics(text):
    """Prometheus text format 0.0.4 → {(name, frozenset(labels)): value}."""
    samples = {}
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = SAMPLE.match(line)
        assert match, f"not a Prometheus sample line: {line!r}"
        name, labels, value = match.groups()
        samples[(name, frozenset(LABEL.findall(labels or "")))] = float(value)
    return samples


def value(samples, name, **labels):
    found = [v for (n, ls), v in samples.items() if n == name and set(labels.items()) <= set(ls)]
    return sum(found) if found else None


def get(base, path):
    try:
        with urllib.request.urlopen(base + path, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


class NotifySocket:
    """A Unix datagram socket like systemd's NOTIFY_SOCKET, read continuously (as systemd does)."""

    def __init__(self):
        self.name = os.path.join(tempfile.mkdtemp(prefix="axllama-notify-"), "notify")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.name)
        self.sock.settimeout(0.1)
        self.lines = []
        self.running = True
        self.reader = threading.Thread(target=self.read, daemon=True)
        self.reader.start()

    def read(self):
        while self.running:
            try:
                self.lines.extend(self.sock.recv(4096).decode().split("\n"))
            except socket.timeout:
                pass

    def wait_for(self, seconds, until):
        deadline = time.time() + seconds
        while time.time() < deadline and not until(list(self.lines)):
            time.sleep(0.05)
        return list(self.lines)

    def close(self):
        self.running = False
        self.reader.join()
        self.sock.close()


@pytest.fixture(scope="module")
def notify_socket():
    listener = NotifySocket()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def managed(binary, gguf, notify_socket):
    """A server run as systemd would run a Type=notify unit with WatchdogSec=1."""
    instance = Server(binary, gguf, {"NOTIFY_SOCKET": notify_socket.name, "WATCHDOG_USEC": "1000000", "AXLLAMA_SHUTDOWN_GRACE": "6",
                                      "AXLLAMA_STATUS_INTERVAL": "1", "AXLLAMA_LOG_FORMAT": "json"})
    yield instance
    if instance.process.poll() is None:
        instance.stop()
    else:
        instance.log.close()


def test_systemd_sees_ready_and_watchdog_pings(managed, notify_socket):
    lines = notify_socket.wait_for(10, lambda ls: "READY=1" in ls and ls.count("WATCHDOG=1") >= 2)
    assert "READY=1" in lines
    assert lines.count("WATCHDOG=1") >= 2
    assert any(line.startswith("STATUS=") for line in lines)


def test_health_is_ok_and_lists_models(managed):
    status, text = get(managed.base, "/health")
    assert status == 200, text
    body = json.loads(text)
    assert body["status"] == "ok"
    assert body["phase"] == "serving"
    assert body["uptime_seconds"] > 0
    assert body["queue_depth"] == 0
    assert get(managed.base, "/")[1] == "Ollama is running"


def test_metrics_move_after_a_generate(managed):
    before = parse_metrics(get(managed.base, "/metrics")[1])
    body = json.dumps({"model": MODEL, "prompt": "Say hi", "stream": False, "options": {"num_predict": 8, "temperature": 0}}).encode()
    with urllib.request.urlopen(urllib.request.Request(managed.base + "/api/generate", data=body, method="POST"), timeout=120) as r:
        answer = json.loads(r.read())
    after = parse_metrics(get(managed.base, "/metrics")[1])
    generated = value(after, "axllama_generated_tokens_total") - (value(before, "axllama_generated_tokens_total") or 0)
    assert generated == answer["eval_count"]
    prompt = value(after, "axllama_prompt_tokens_total") - (value(before, "axllama_prompt_tokens_total") or 0)
    assert prompt == answer["prompt_eval_count"]
    ttft = value(after, "axllama_time_to_first_token_seconds_count") - (value(before, "axllama_time_to_first_token_seconds_count") or 0)
    assert ttft == 1
    assert value(after, "axllama_token_latency_seconds_bucket", le="+Inf") >= 1
    assert value(after, "axllama_requests_total", endpoint="/api/generate", status="200") >= 1
    assert value(after, "axllama_models_resident") == 1


def test_status_log_is_json_lines(managed):
    time.sleep(1.5)
    managed.log.flush()
    with open(managed.log.name) as log:
        records = [json.loads(line) for line in log if line.startswith("{")]
    messages = [record["message"] for record in records]
    assert any(m.startswith("config: AXLLAMA_SHUTDOWN_GRACE=6") for m in messages)
    assert any(m.startswith("status: ok") for m in messages)
    assert all(record["level"] in ("trace", "debug", "info", "notice", "warning", "error", "critical") for record in records)


def test_sigterm_during_a_stream_ends_it_with_a_final_line_and_exits_zero(managed, notify_socket):
    """Runs last in this module: it stops the server."""
    body = json.dumps({"model": MODEL, "prompt": "Tell a very long story.", "options": {"num_predict": 100000, "temperature": 0.8}}).encode()
    request = urllib.request.Request(managed.base + "/api/generate", data=body, method="POST")
    response = urllib.request.urlopen(request, timeout=60)
    first = json.loads(response.readline())
    assert first["done"] is False
    started = time.time()
    managed.process.send_signal(signal.SIGTERM)
    lines = [line for line in response.read().decode().split("\n") if line]
    assert lines, "the stream ended without a final line"
    final = json.loads(lines[-1])
    assert final.get("error") == "the server is shutting down" or final.get("done") is True
    code = managed.process.wait(timeout=15)
    elapsed = time.time() - started
    assert code == 0
    assert elapsed < 6 + 1, f"exit took {elapsed:.1f}s, longer than the grace period"
    assert "STOPPING=1" in notify_socket.wait_for(1, lambda ls: "STOPPING=1" in ls)
    managed.log.flush()
    with open(managed.log.name) as log:
        assert "stopped: models unloaded" in log.read()
