"""Helpers of the deployment tests: the repository, the release binary under test, the simulator
library and the default model. (A module of its own: `conftest` is ambiguous between suites.)"""
import os
import shutil
import sys
from pathlib import Path

import pytest

REPOSITORY = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPOSITORY / "Tests/EndToEnd"))
from default_model import default_model_path  # noqa: E402,F401


def release_binary():
    """The binary `make test` builds before running pytest (AXLLAMA_BINARY), else the release build."""
    explicit = os.environ.get("AXLLAMA_BINARY")
    candidate = Path(explicit) if explicit else REPOSITORY / ".build/release/axllama"
    if not candidate.is_absolute():
        candidate = REPOSITORY / candidate
    return candidate if candidate.is_file() else None


def simulator_library():
    """AXLLAMA_AXCL_LIBRARY when it names a file, else the simulator this checkout built."""
    explicit = os.environ.get("AXLLAMA_AXCL_LIBRARY")
    if explicit and Path(explicit).is_file():
        return Path(explicit)
    for configuration in ("release", "debug"):
        candidate = REPOSITORY / ".build" / configuration / "libaxcl_rt.so"
        if candidate.is_file():
            return candidate
    return None


def require_tool(name):
    if shutil.which(name) is None:
        pytest.skip(f"{name} is not installed")
