# The two commands a newcomer needs are `make serve` and `make test` (see README.md).
SWIFT ?= swift
MODEL ?= smollm2:135m

.PHONY: serve run test build release model fixtures clean dist deb install

model:
	scripts/fetch-default-model.sh

# The tiny architecture test models: written from fixed seeds, byte-identical to the ones the
# committed golden logits were computed from (weights are never committed).
fixtures:
	python3 -c "import gguf, numpy" 2>/dev/null || python3 -m pip install -q gguf numpy
	python3 scripts/make-arch-fixtures.py --out Tests/CPUEngineTests/Fixtures/architectures --models-only

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release --product axllama

# Serve the Ollama API on OLLAMA_HOST (default 127.0.0.1:11434) with the default model loaded.
serve: model release
	.build/release/axllama serve --preload $(MODEL)

# Chat with the default model in the terminal (fetches it on first use).
run: model release
	$(SWIFT) run -c release axllama run $(MODEL)

# The whole test suite; model-dependent tests need the default model in the store. The C
# kernels' vector paths are checked first (the aarch64 ones only where qemu and a cross
# compiler are installed; see scripts/test-neon-kernels.sh).
test: model fixtures
	scripts/test-neon-kernels.sh
	$(SWIFT) test
	$(SWIFT) build -c release --product axllama
	AXLLAMA_BINARY=.build/release/axllama python3 -m pytest -q Tests/EndToEnd
	# A session of its own: each suite's conftest is imported as `conftest`.
	AXLLAMA_BINARY=.build/release/axllama python3 -m pytest -q Tests/Deploy

# Release build for this machine into dist/: the static binary and the simulator library.
# On a Raspberry Pi 5: make dist AXLLAMA_TARGET_CPU=cortex-a76 (docs/raspberry-pi.md).
dist:
	scripts/build-release.sh

# dist/axllama_<version>_<arch>.deb from the release build.
deb:
	scripts/build-deb.sh

# Installs dist/ as a system service (run as root; DESTDIR and PREFIX as in scripts/install.sh).
install:
	scripts/install.sh

clean:
	rm -rf .build
