# The two commands a newcomer needs are `make run` and `make test` (see README.md).
SWIFT ?= swift
MODEL ?= smollm2:135m

.PHONY: run test build release model clean

model:
	scripts/fetch-default-model.sh

build:
	$(SWIFT) build

release:
	$(SWIFT) build -c release

# Chat with the default model in the terminal (fetches it on first use).
run: model release
	$(SWIFT) run -c release axllama run $(MODEL)

# The whole test suite; model-dependent tests need the default model in the store.
test: model
	$(SWIFT) test
	$(SWIFT) build -c release --product axllama
	AXLLAMA_BINARY=.build/release/axllama python3 -m pytest -q Tests/EndToEnd

clean:
	rm -rf .build
