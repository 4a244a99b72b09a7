#!/usr/bin/env python3
"""Writes tokenizer goldens: llama.cpp's token ids and detokenized text for a corpus of strings.

Run by hand when the corpus or the reference model changes, not in CI:

    pip install llama-cpp-python regex
    scripts/make-tokenizer-goldens.py --model FILE.gguf \
        --out Tests/TokenizerTests/Fixtures/tokenizer-goldens.json

The Swift tests (Tests/TokenizerTests) load the same GGUF and must reproduce every entry exactly.
"""
import argparse
import ctypes
import json
import os
import sys

CORPUS = [
    # plain ASCII
    "Hello world",
    "Hello, world! How are you today?",
    "The quick brown fox jumps over the lazy dog.",
    "a",
    "",
    " ",
    "I",
    # leading, trailing and repeated spaces
    " leading space",
    "trailing space ",
    "  two leading spaces",
    "two trailing spaces  ",
    "multiple   spaces   inside",
    "   ",
    "word \u00a0nbsp and\u3000ideographic space",
    # tabs, newlines, CRLF
    "tab\tseparated\tvalues",
    "\tindented with a tab",
    "line one\nline two\n",
    "\n\nblank lines before",
    "windows\r\nline\r\nendings\r\n",
    "mixed \n \t \r\n whitespace  \n\n  end",
    "trailing newlines\n\n\n",
    # digits and numbers
    "1234567890",
    "There are 365 days in 2024, not 366.",
    "pi is 3.14159265358979",
    "call 555-0100 or +1 (800) 123-4567",
    " 42",
    "x1y22z333w4444",
    "\u0661\u0662\u0663 Arabic-Indic digits and \u00b2 superscript",
    # code
    "func greet(_ name: String) -> String {\n    return \"Hello, \\(name)!\"\n}",
    "let xs = [1, 2, 3].map { $0 * 2 }  // doubled",
    "def fib(n):\n    return n if n < 2 else fib(n - 1) + fib(n - 2)\n",
    "import numpy as np\nprint(np.arange(10).reshape(2, 5))",
    "{\"name\": \"axllama\", \"version\": 1, \"tags\": [\"llm\", \"swift\"], \"ok\": true}",
    "if (a && b || !c) { x += 1; } else { y -= 2; }",
    "<div class=\"note\">a &amp; b</div>",
    "SELECT * FROM users WHERE id = 42;",
    "~/path/to/file.txt && echo $HOME | grep -v '^#'",
    # contractions
    "I'm sure you're right, it's what we've said and they'll do.",
    "I'M SURE YOU'RE RIGHT, IT'S WHAT WE'VE SAID AND THEY'LL DO.",
    "don't can't won't shouldn't",
    "rock 'n' roll and 'quoted' words",
    "the dog's bone; the dogs' bones",
    # CJK
    "\u4f60\u597d\uff0c\u4e16\u754c\uff01",
    "\u65e5\u672c\u8a9e\u306e\u30c6\u30ad\u30b9\u30c8\u3067\u3059\u3002",
    "\ud55c\uad6d\uc5b4 \ubb38\uc7a5\uc785\ub2c8\ub2e4.",
    "mixed English and \u4e2d\u6587 text",
    # emoji
    "I love \U0001F980 and \U0001F355!",
    "family: \U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466",
    "flags \U0001F1EB\U0001F1F7 \U0001F1EF\U0001F1F5",
    "thumbs \U0001F44D\U0001F3FD up",
    "\u2764\ufe0f\u2728\U0001F389",
    # accents and combining marks
    "caf\u00e9 na\u00efve r\u00e9sum\u00e9 \u00fcber",
    "cafe\u0301 with a combining accent",
    "\u00c5ngstr\u00f6m and \u0130stanbul",
    "Stra\u00dfe \u0153uvre \u00e6ther",
    # Arabic, Hindi and other scripts
    "\u0645\u0631\u062d\u0628\u0627 \u0628\u0627\u0644\u0639\u0627\u0644\u0645",
    "\u0928\u092e\u0938\u094d\u0924\u0947 \u0926\u0941\u0928\u093f\u092f\u093e",
    "\u041f\u0440\u0438\u0432\u0435\u0442, \u043c\u0438\u0440!",
    "\u0393\u03b5\u03b9\u03ac \u03c3\u03bf\u03c5 \u039a\u03cc\u03c3\u03bc\u03b5",
    "\u0e2a\u0e27\u0e31\u0e2a\u0e14\u0e35\u0e04\u0e23\u0e31\u0e1a",
    # punctuation runs and symbols
    "Wait... what?! Really???",
    "--- *** ___ ### !!!",
    "price: $9.99 (50% off) \u20ac8 \u00a37",
    "a\u2014b \u201cquoted\u201d \u2018single\u2019 \u2026",
    "`backticks` and ~tilde~ and ^caret^ and |pipe|",
    # special tokens written in the text
    "<|im_start|>user\nhi<|im_end|>",
    "<|im_start|>system\nYou are a helpful assistant.<|im_end|>\n<|im_start|>user\nWhat is 2+2?<|im_end|>\n<|im_start|>assistant\n",
    "text before <|im_start|> and after",
    "<|endoftext|>",
    "<|im_end|><|im_end|>",
    "almost special <|im_star|> token",
    "<|im_start|><|im_start|>nested<|im_end|>",
]


# The split patterns as the models' tokenizer.json files write them (llama.cpp llama-vocab). The
# goldens record how Python's `regex` cuts the corpus with each, so the Swift scanners of the
# pre-tokenizers that the default model does not use are checked too.
SPLIT_PATTERNS = {
    "gpt2": r"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+",
    "llama3": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
    "qwen2": r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
}


def detokenize(llama_cpp, vocab, ids, unparse_special):
    if not ids:
        return b""
    array = (llama_cpp.llama_token * len(ids))(*ids)
    size = 64 + 32 * len(ids)
    buffer = ctypes.create_string_buffer(size)
    n = llama_cpp.llama_detokenize(vocab, array, len(ids), buffer, size, False, unparse_special)
    if n < 0:
        size = -n
        buffer = ctypes.create_string_buffer(size)
        n = llama_cpp.llama_detokenize(vocab, array, len(ids), buffer, size, False, unparse_special)
    return buffer.raw[:n]


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", required=True, help="GGUF file whose vocabulary the goldens describe")
    parser.add_argument("--out", required=True, help="JSON file to write")
    args = parser.parse_args()

    import llama_cpp
    from llama_cpp import Llama

    model = Llama(model_path=args.model, vocab_only=True, verbose=False)
    vocab = llama_cpp.llama_model_get_vocab(model.model)
    metadata = model.metadata

    cases = []
    for text in CORPUS:
        for parse_special in (False, True):
            for add_special in (True, False):
                ids = model.tokenize(text.encode("utf-8"), add_bos=add_special, special=parse_special)
                cases.append({
                    "text": text,
                    "addSpecial": add_special,
                    "parseSpecial": parse_special,
                    "ids": ids,
                    # hex, because a detokenized byte string need not be valid UTF-8
                    "decodedHex": detokenize(llama_cpp, vocab, ids, False).hex(),
                    "decodedWithSpecialHex": detokenize(llama_cpp, vocab, ids, True).hex(),
                })

    import regex  # PyPI `regex`: \\p{L} and friends, as the Hugging Face tokenizers use them

    splits = []
    for name, pattern in SPLIT_PATTERNS.items():
        compiled = regex.compile(pattern)
        for text in CORPUS:
            words = compiled.findall(text)
            assert "".join(words) == text, f"{name} does not cover {text!r}"
            splits.append({"preTokenizer": name, "text": text, "words": words})

    golden = {
        "model": os.path.basename(args.model),
        "generator": f"llama-cpp-python {llama_cpp.__version__}",
        "preTokenizer": metadata.get("tokenizer.ggml.pre"),
        "vocabularySize": llama_cpp.llama_vocab_n_tokens(vocab),
        "cases": cases,
        "splits": splits,
    }
    with open(args.out, "w", encoding="utf-8") as handle:
        json.dump(golden, handle, ensure_ascii=False, indent=1)
        handle.write("\n")
    print(f"wrote {len(cases)} cases for {len(CORPUS)} strings to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
