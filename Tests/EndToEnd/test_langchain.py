"""LangChain's Ollama integration (`langchain-ollama`) against the real server, unchanged: chat,
streaming, structured output through `format`, the completion model and embeddings."""
import importlib
import subprocess
import sys

import pytest

from conftest import MODEL


def langchain_ollama():
    try:
        return importlib.import_module("langchain_ollama")
    except ImportError:
        installed = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "langchain-ollama"])
        if installed.returncode != 0:
            pytest.skip("langchain-ollama could not be installed from PyPI")
        return importlib.import_module("langchain_ollama")


def test_chat_model_invokes_streams_and_fills_a_schema(server):
    lc = langchain_ollama()
    from pydantic import BaseModel

    chat = lc.ChatOllama(model=MODEL, base_url=server.base, temperature=0, num_predict=12)
    answer = chat.invoke("What is 2+2?")
    assert answer.content.strip()
    assert answer.response_metadata.get("done_reason") in ("stop", "length")
    streamed = "".join(chunk.content for chunk in chat.stream("What is 2+2?"))
    assert streamed == answer.content

    class Light(BaseModel):
        color: str
        brightness: int

    light = lc.ChatOllama(model=MODEL, base_url=server.base, temperature=0, num_predict=48) \
        .with_structured_output(Light, method="json_schema").invoke("A red light at brightness 5, as JSON.")
    assert isinstance(light, Light) and isinstance(light.brightness, int)


def test_completion_model_and_embeddings(server):
    lc = langchain_ollama()
    text = lc.OllamaLLM(model=MODEL, base_url=server.base, temperature=0, num_predict=8).invoke("Hello")
    assert isinstance(text, str) and text
    vector = lc.OllamaEmbeddings(model=MODEL, base_url=server.base).embed_query("hello")
    assert len(vector) == 576 and abs(sum(v * v for v in vector) - 1) < 1e-3
