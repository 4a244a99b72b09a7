"""Where the default model's GGUF is: AXLLAMA_TEST_MODEL, else the default store's smollm2:135m.
Shared by the end-to-end and the deployment tests."""
import json
import os
from pathlib import Path


def default_model_path():
    explicit = os.environ.get("AXLLAMA_TEST_MODEL")
    if explicit:
        return Path(explicit) if Path(explicit).is_file() else None
    root = os.environ.get("AXLLAMA_MODELS") or os.environ.get("OLLAMA_MODELS") or str(Path.home() / ".axllama/models")
    manifest = Path(root) / "manifests/registry.ollama.ai/library/smollm2/135m"
    if not manifest.is_file():
        return None
    for layer in json.loads(manifest.read_text())["layers"]:
        if layer["mediaType"] == "application/vnd.ollama.image.model":
            blob = Path(root) / "blobs" / layer["digest"].replace(":", "-")
            return blob if blob.is_file() else None
    return None
