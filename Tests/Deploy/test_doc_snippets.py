"""Every fenced block in README.md and docs/*.md names its language, and every shell block says
how it is checked, in its info string:

    ```sh test            run here, against a server on a free port over a temporary store that
                          holds the default model (smollm2:135m) and with the AXCL simulator
    ```sh test server     starts a server: run until it answers, then stopped
    ```sh hardware        needs the target machine (a Raspberry Pi with the card, root, systemd)
    ```sh ci              what CI runs: checked against .ci/run

`test` blocks run with bash -euo pipefail; `localhost:11434` and `127.0.0.1:11434` in them mean
the test server. README blocks run in the repository, docs blocks in an empty folder that holds
the default model's GGUF as SmolLM2-135M-Instruct.Q4_1.gguf. On the PATH, `axllama` is the
binary under test.
"""
import json
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

from deploy_support import REPOSITORY, default_model_path, release_binary, simulator_library

SHELL_LANGUAGES = {"sh", "bash", "shell", "console"}
MARKERS = {"test", "hardware", "ci"}
MODEL = "smollm2:135m"
DEFAULT_ADDRESSES = ("localhost:11434", "127.0.0.1:11434")
FENCE = re.compile(r"^```(.*)$")


class Block:
    def __init__(self, document, line, info, text):
        self.document, self.line, self.text = document, line, text
        words = info.split()
        self.language = words[0] if words else ""
        self.markers = words[1:]

    @property
    def name(self):
        return f"{self.document.relative_to(REPOSITORY)}:{self.line}"


def documents():
    return [REPOSITORY / "README.md", *sorted((REPOSITORY / "docs").glob("*.md"))]


def blocks():
    found = []
    for document in documents():
        lines = document.read_text().splitlines()
        index = 0
        while index < len(lines):
            opening = FENCE.match(lines[index])
            if opening:
                end = index + 1
                while end < len(lines) and lines[end].strip() != "```":
                    end += 1
                found.append(Block(document, index + 1, opening.group(1).strip(), "\n".join(lines[index + 1:end])))
                index = end
            index += 1
    return found


def shell_blocks(marker):
    return [pytest.param(block, id=block.name) for block in blocks()
            if block.language in SHELL_LANGUAGES and block.markers[:1] == [marker]]


def test_every_block_names_its_language_and_every_shell_block_how_it_is_checked():
    problems = []
    for block in blocks():
        if not block.language:
            problems.append(f"{block.name}: a fenced block without a language (use text for plain text)")
        elif block.language in SHELL_LANGUAGES:
            if len(block.markers) == 0 or block.markers[0] not in MARKERS:
                problems.append(f"{block.name}: a shell block must be marked test, hardware or ci, e.g. ```sh test")
    assert not problems, "\n".join(problems)


def test_ci_blocks_are_what_ci_runs():
    ci_script = (REPOSITORY / ".ci/run").read_text()
    for block in blocks():
        if block.language in SHELL_LANGUAGES and block.markers[:1] == ["ci"]:
            for command in commands(block.text):
                assert re.search(rf"^\s*{re.escape(command)}\s*$", ci_script, re.MULTILINE), f"{block.name}: .ci/run does not run `{command}`"


def commands(text):
    """Lines of a block without comments and blank lines."""
    return [line.split(" #")[0].strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_answering(base, seconds, process=None):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if process is not None and process.poll() is not None:
            return False
        try:
            urllib.request.urlopen(base + "/", timeout=1).read()
            return True
        except OSError:
            time.sleep(0.3)
    return False


class Sandbox:
    """The server and the environment `test` blocks run against."""

    def __init__(self, binary, gguf):
        self.folder = Path(tempfile.mkdtemp(prefix="axllama-docs-"))
        self.store = self.folder / "models"
        self.work = self.folder / "work"
        self.bin = self.folder / "bin"
        for folder in (self.store, self.work, self.bin):
            folder.mkdir()
        (self.bin / "axllama").symlink_to(binary)
        (self.work / "SmolLM2-135M-Instruct.Q4_1.gguf").symlink_to(gguf)
        self.address = f"127.0.0.1:{free_port()}"
        self.environment = dict(os.environ)
        for name in ("AXLLAMA_PRELOAD", "AXLLAMA_PIN", "AXLLAMA_API_KEY", "OLLAMA_API_KEY"):
            self.environment.pop(name, None)
        self.environment.update({
            "OLLAMA_HOST": self.address, "AXLLAMA_MODELS": str(self.store), "OLLAMA_MODELS": str(self.store),
            "PATH": f"{self.bin}:{os.environ.get('PATH', '')}",
        })
        simulator = simulator_library()
        if simulator is not None:
            self.environment["AXLLAMA_AXCL_LIBRARY"] = str(simulator)
        self.log = open(self.folder / "server.log", "w")
        self.server = subprocess.Popen([str(binary), "serve"], env=self.environment, stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_until_answering(f"http://{self.address}", 60, self.server):
            self.stop()
            raise RuntimeError(f"axllama serve did not start; see {self.log.name}")
        body = json.dumps({"model": MODEL, "from": str(gguf), "stream": False}).encode()
        request = urllib.request.Request(f"http://{self.address}/api/create", data=body, method="POST")
        urllib.request.urlopen(request, timeout=300).read()

    def script(self, block):
        text = block.text
        for default in DEFAULT_ADDRESSES:
            text = text.replace(default, self.address)
        return text

    def run(self, block, timeout=300):
        cwd = REPOSITORY if block.document.name == "README.md" else self.work
        return subprocess.run(["bash", "-euo", "pipefail", "-c", self.script(block)], cwd=cwd, env=self.environment,
                              capture_output=True, text=True, timeout=timeout)

    def stop(self):
        self.server.terminate()
        try:
            self.server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.server.kill()
        self.log.close()


@pytest.fixture(scope="module")
def sandbox():
    binary = release_binary()
    if binary is None:
        pytest.skip("no release build of axllama: run `swift build -c release --product axllama` or set AXLLAMA_BINARY")
    gguf = default_model_path()
    if gguf is None:
        pytest.skip("default model not found: set AXLLAMA_TEST_MODEL or run scripts/fetch-default-model.sh")
    instance = Sandbox(binary, gguf)
    yield instance
    instance.stop()


@pytest.mark.parametrize("block", shell_blocks("test"))
def test_documented_commands_run(block, sandbox):
    if block.markers[1:] == ["server"]:
        return run_server_block(block, sandbox)
    result = sandbox.run(block)
    assert result.returncode == 0, f"{block.name} failed ({result.returncode}):\n{block.text}\n--- stdout\n{result.stdout}\n--- stderr\n{result.stderr}"


def run_server_block(block, sandbox):
    """A block that starts a server: it must answer on its address, then stop on SIGTERM."""
    address = f"127.0.0.1:{free_port()}"
    environment = dict(os.environ, OLLAMA_HOST=address)
    cwd = REPOSITORY if block.document.name == "README.md" else sandbox.work
    log = open(sandbox.folder / f"block-{block.line}.log", "w")
    process = subprocess.Popen(["bash", "-euo", "pipefail", "-c", block.text], cwd=cwd, env=environment,
                               stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        answered = wait_until_answering(f"http://{address}", 600, process)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        log.close()
    assert answered, f"{block.name}: no server answered at {address}; see {log.name}"
