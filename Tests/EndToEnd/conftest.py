"""Starts the real `axllama serve` (release build) on a free port over a temporary model store
holding the default model, for the end-to-end suite. Skips cleanly when no model is available.

The model is found through AXLLAMA_TEST_MODEL (a .gguf path) or the default store
($AXLLAMA_MODELS, $OLLAMA_MODELS or ~/.axllama/models) entry `smollm2:135m`.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from default_model import default_model_path

REPOSITORY = Path(__file__).resolve().parents[2]
MODEL = "smollm2:135m"


def ensure_clients():
    """The official client packages are part of what is tested; install them when missing."""
    try:
        import ollama  # noqa: F401
        import openai  # noqa: F401
    except ImportError:
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "ollama", "openai"], check=True)


ensure_clients()


def server_binary():
    binary = os.environ.get("AXLLAMA_BINARY")
    if binary:
        return Path(binary)
    # Generation on a debug build would crawl; the suite always uses the optimised build.
    subprocess.run(["swift", "build", "-c", "release", "--product", "axllama"], cwd=REPOSITORY, check=True)
    return REPOSITORY / ".build/release/axllama"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, binary, gguf, extra_env):
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.store = tempfile.mkdtemp(prefix="axllama-e2e-")
        env = dict(os.environ)
        env.update({"OLLAMA_HOST": f"127.0.0.1:{self.port}", "AXLLAMA_MODELS": self.store, "OLLAMA_MODELS": self.store})
        env.pop("AXLLAMA_PRELOAD", None)
        env.pop("AXLLAMA_PIN", None)
        env.update(extra_env)
        self.log = open(Path(self.store) / "server.log", "w")
        self.process = subprocess.Popen([str(binary), "serve"], env=env, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                urllib.request.urlopen(self.base + "/", timeout=1).read()
                break
            except OSError:
                time.sleep(0.2)
        else:
            self.stop()
            raise RuntimeError("axllama serve did not start; see " + self.log.name)
        # The model enters the temporary store through the API, from the GGUF file.
        body = json.dumps({"model": MODEL, "from": str(gguf), "stream": False}).encode()
        urllib.request.urlopen(urllib.request.Request(self.base + "/api/create", data=body, method="POST"), timeout=300).read()

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


@pytest.fixture(scope="session")
def gguf():
    path = default_model_path()
    if path is None:
        pytest.skip("default model not found: set AXLLAMA_TEST_MODEL or run scripts/fetch-default-model.sh")
    return path


@pytest.fixture(scope="session")
def binary():
    return server_binary()


@pytest.fixture(scope="session")
def server(binary, gguf):
    instance = Server(binary, gguf, {"OLLAMA_KEEP_ALIVE": "5m"})
    yield instance
    instance.stop()


@pytest.fixture(scope="session")
def busy_server(binary, gguf):
    """A server that lets one request wait per model, for the queue-full check."""
    instance = Server(binary, gguf, {"OLLAMA_MAX_QUEUE": "1"})
    yield instance
    instance.stop()
