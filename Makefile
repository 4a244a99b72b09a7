# The two commands a newcomer needs are `make serve` and `make test` (see README.md).
SWIFT ?= swift
MODEL ?= smollm2:135m

.PHONY: serve run test build release model clean

model:
	scripts/fetch-default-model.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Serve the Ollama API on OLLAMA_HOST (default 127.0.0.1:11434) with the default model loaded.
serve: model release
	.build/release/axllama serve --preload $(MODEL)

# Chat with the default model in the terminal (fetches it on first use).
run: model release
	$(SWIFT) run -c release axllama run $(MODEL)

# The whole test suite; model-dependent tests need the default model in the store. The C
# kernels' vector paths are checked first (the aarch64 ones only where qemu and a cross
# compiler are installed; see scripts/test-neon-kernels.sh).
test: model
	scripts/test-neon-kernels.sh
	$(SWIFT) test
	$(SWIFT) build -c release --product axllama
	AXLLAMA_BINARY=.build/release/axllama python3 -m pytest -q Tests/EndToEnd

clean:
	rm -rf .build
