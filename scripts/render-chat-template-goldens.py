#!/usr/bin/env python3
"""Render every chat template x conversation with Python's jinja2 the way Hugging Face
transformers renders chat templates, and write the outputs as goldens for the Swift tests.

transformers is not needed: its environment is reproduced here (see
transformers/utils/chat_template_utils.py, _compile_jinja_template and render_jinja_template):
ImmutableSandboxedEnvironment(trim_blocks=True, lstrip_blocks=True) with the loopcontrols
extension and the `generation` tag, a `tojson` filter that is json.dumps with
ensure_ascii=False and insertion order, and the globals raise_exception and strftime_now.
render() receives messages, tools (None when absent), documents (None), add_generation_prompt
and the special tokens plus any extra flags.

Usage: scripts/render-chat-template-goldens.py [--shared DIR] [--out FILE]
"""
import argparse
import datetime
import json
import os
import sys

import jinja2
import jinja2.ext
import jinja2.nodes
from jinja2.sandbox import ImmutableSandboxedEnvironment

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOCAL_DIR = os.path.join(ROOT, "Tests", "ChatTemplateTests", "Fixtures", "templates")

def default_shared_dir():
    """../shared/fixtures/chat-templates beside the repository (or beside a worktree's parent)."""
    for up in ("..", os.path.join("..", "..")):
        candidate = os.path.normpath(os.path.join(ROOT, up, "shared", "fixtures", "chat-templates"))
        if os.path.isdir(candidate):
            return candidate
    return None


DEFAULT_SHARED = default_shared_dir()
DEFAULT_OUT = os.path.join(ROOT, "Tests", "ChatTemplateTests", "Fixtures", "chat-template-goldens.json")

# strftime_now is fixed so that the goldens do not depend on the day they were made.
FIXED_NOW = datetime.datetime(2025, 3, 14, 9, 26, 53)


class GenerationTag(jinja2.ext.Extension):
    """transformers' AssistantTracker: `{% generation %}...{% endgeneration %}` renders its body."""
    tags = {"generation"}

    def parse(self, parser):
        lineno = next(parser.stream).lineno
        body = parser.parse_statements(["name:endgeneration"], drop_needle=True)
        return jinja2.nodes.Scope(body).set_lineno(lineno)


def make_environment():
    def raise_exception(message):
        raise jinja2.exceptions.TemplateError(message)

    def tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False):
        return json.dumps(x, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys)

    def strftime_now(format):
        return FIXED_NOW.strftime(format)

    env = ImmutableSandboxedEnvironment(
        trim_blocks=True, lstrip_blocks=True, extensions=[GenerationTag, jinja2.ext.loopcontrols]
    )
    env.filters["tojson"] = tojson
    env.globals["raise_exception"] = raise_exception
    env.globals["strftime_now"] = strftime_now
    return env


WEATHER_TOOL = {
    "type": "function",
    "function": {
        "name": "get_weather",
        "description": "Get the current weather for a city.",
        "parameters": {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "The city name, e.g. Zürich"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    },
}
TIME_TOOL = {
    "type": "function",
    "function": {
        "name": "get_time",
        "description": "Current local time in a time zone.",
        "parameters": {
            "type": "object",
            "properties": {"zone": {"type": "string"}, "precise": {"type": "boolean"}},
            "required": ["zone"],
        },
    },
}

SYSTEM = {"role": "system", "content": "You are a concise assistant."}
USER = {"role": "user", "content": "What is the capital of France?"}

# Each conversation is the set of variables one render receives (besides special tokens).
CONVERSATIONS = {
    "user-only": {"messages": [USER], "add_generation_prompt": True},
    "user-only-no-prompt": {"messages": [USER], "add_generation_prompt": False},
    "system-user": {"messages": [SYSTEM, USER], "add_generation_prompt": True},
    "multi-turn": {
        "messages": [
            SYSTEM,
            USER,
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": "And of Italy?"},
        ],
        "add_generation_prompt": True,
    },
    "multi-turn-ends-with-assistant": {
        "messages": [
            USER,
            {"role": "assistant", "content": "Paris."},
            {"role": "user", "content": "And of Italy?"},
            {"role": "assistant", "content": "  Rome.  "},
        ],
        "add_generation_prompt": False,
    },
    "unicode": {
        "messages": [
            {"role": "system", "content": "Réponds en français, s'il te plaît. \"Quotes\" and \\ backslashes."},
            {"role": "user", "content": "日本の首都は？ 🗼\nLine two\twith a tab. Ünïcödé ß"},
        ],
        "add_generation_prompt": True,
    },
    "tools-offered": {
        "messages": [SYSTEM, {"role": "user", "content": "What's the weather in Zürich?"}],
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "add_generation_prompt": True,
    },
    "tool-call-and-result": {
        "messages": [
            SYSTEM,
            {"role": "user", "content": "What's the weather in Zürich?"},
            {
                "role": "assistant",
                "content": "",
                "tool_calls": [
                    {
                        "id": "call_0001",
                        "type": "function",
                        "function": {"name": "get_weather", "arguments": {"city": "Zürich", "unit": "celsius"}},
                    }
                ],
            },
            {"role": "tool", "tool_call_id": "call_0001", "name": "get_weather", "content": "{\"temperature\": 21.5, \"sky\": \"clear\"}"},
            {"role": "assistant", "content": "It is 21.5 °C and clear in Zürich."},
            {"role": "user", "content": "Thanks! And the time there?"},
        ],
        "tools": [WEATHER_TOOL, TIME_TOOL],
        "add_generation_prompt": True,
    },
    "thinking-on": {
        "messages": [
            USER,
            {"role": "assistant", "content": "Paris.", "reasoning_content": "The user asks for a capital. France -> Paris."},
            {"role": "user", "content": "And of Spain?"},
        ],
        "add_generation_prompt": True,
        "enable_thinking": True,
    },
    "thinking-off": {
        "messages": [USER],
        "add_generation_prompt": True,
        "enable_thinking": False,
    },
    "think-tags-in-history": {
        "messages": [
            USER,
            {"role": "assistant", "content": "<think>\nRecall: Paris.\n</think>\n\nParis."},
            {"role": "user", "content": "Sure?"},
        ],
        "add_generation_prompt": True,
    },
}

# Special tokens per template family (what transformers passes from the tokenizer).
LLAMA3 = {"bos_token": "<|begin_of_text|>", "eos_token": "<|eot_id|>"}
CHATML = {"eos_token": "<|im_end|>"}
SENTENCEPIECE = {"bos_token": "<s>", "eos_token": "</s>"}
GEMMA = {"bos_token": "<bos>", "eos_token": "<eos>"}
DEEPSEEK = {"bos_token": "<｜begin▁of▁sentence｜>", "eos_token": "<｜end▁of▁sentence｜>"}


def special_tokens(name):
    lowered = name.lower()
    if "llama-3" in lowered or "llama3" in lowered or "hermes-3" in lowered or "firefunction" in lowered or "functionary" in lowered:
        return LLAMA3
    if "gemma" in lowered:
        return GEMMA
    if "deepseek" in lowered:
        return DEEPSEEK
    if "qwen" in lowered or "chatml" in lowered or "smollm" in lowered or "qwq" in lowered:
        return CHATML
    if "mistral" in lowered or "ministral" in lowered or "devstral" in lowered or "phi" in lowered:
        return SENTENCEPIECE
    return {"bos_token": "<|startoftext|>", "eos_token": "<|endoftext|>"}


def templates(shared_dir):
    found = []
    for name in sorted(os.listdir(LOCAL_DIR)):
        if name.endswith(".jinja"):
            found.append(("local", name, os.path.join(LOCAL_DIR, name)))
    if shared_dir and os.path.isdir(shared_dir):
        for name in sorted(os.listdir(shared_dir)):
            if name.endswith(".jinja"):
                found.append(("shared", name, os.path.join(shared_dir, name)))
    return found


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--shared", default=DEFAULT_SHARED)
    parser.add_argument("--out", default=DEFAULT_OUT)
    args = parser.parse_args()

    env = make_environment()
    result = {
        "generator": "scripts/render-chat-template-goldens.py",
        "jinja2": jinja2.__version__,
        "now": FIXED_NOW.isoformat(),
        "conversations": CONVERSATIONS,
        "templates": {},
        "cases": [],
    }
    for origin, name, path in templates(args.shared):
        with open(path, encoding="utf-8", newline="") as f:
            source = f.read()
        tokens = special_tokens(name)
        result["templates"][name] = {"origin": origin, "special_tokens": tokens}
        try:
            compiled = env.from_string(source)
        except jinja2.TemplateError as error:
            for conversation in CONVERSATIONS:
                result["cases"].append({"template": name, "conversation": conversation, "error": f"{type(error).__name__}: {error}"})
            continue
        for conversation_name, conversation in CONVERSATIONS.items():
            variables = dict(conversation)
            variables.setdefault("tools", None)
            variables.setdefault("documents", None)
            variables.update(tokens)
            case = {"template": name, "conversation": conversation_name}
            try:
                case["output"] = compiled.render(**json.loads(json.dumps(variables)))
            except Exception as error:  # any failure is a failure our renderer must reproduce
                case["error"] = f"{type(error).__name__}: {error}"
            result["cases"].append(case)

    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(result, f, ensure_ascii=False, indent=1)
        f.write("\n")
    failures = sum(1 for c in result["cases"] if "error" in c)
    print(f"{len(result['cases'])} cases ({failures} expected errors) from {len(result['templates'])} templates -> {os.path.relpath(args.out, ROOT)}")


if __name__ == "__main__":
    sys.exit(main())
