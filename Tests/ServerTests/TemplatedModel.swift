import EngineInterface
import Runtime
import Synchronization
import TestSupport

/// A scripted model with a real chat template: the prompt is rendered by the template (tools,
/// thinking flags and all), and the engine answers with `answer` one byte token at a time.
struct TemplatedModel: Sendable {
    let chatTemplate: String
    let answer: String
    /// What the generation prompt adds after `<|im_start|>assistant\n` (an opened `<think>`).
    var promptTail = ""

    /// The answer starts after the last `<|im_start|>assistant\n` (and `promptTail`) of the prompt; the position in
    /// the answer is read from the engine's cache, so chunked prefill and cache reuse do not
    /// disturb the script.
    func session(contextLength: Int = 4096) throws -> ModelSession {
        let script = ByteTokenizer.ids(answer) + [ByteTokenizer.imEnd]
        let header = ByteTokenizer.ids("assistant\n" + promptTail).count
        let engineBox = Mutex<ScriptedEngine?>(nil)
        let engine = ScriptedEngine(vocabularySize: ByteTokenizer.vocabularySize, contextLength: contextLength) { _, _ in
            let cached = engineBox.withLock { $0 }?.cachedTokens ?? []
            guard let start = cached.lastIndex(of: ByteTokenizer.imStart) else { return ByteTokenizer.imEnd }
            let produced = cached.count - (start + 1 + header)
            return produced >= 0 && produced < script.count ? script[produced] : ByteTokenizer.imEnd
        }
        engineBox.withLock { $0 = engine }
        let format = try ChatTemplatePromptFormat(source: chatTemplate, beginOfSequence: "", endOfSequence: "<|im_end|>")
        return ModelSession(engine: engine, tokenizer: try ByteTokenizer.make(), promptFormat: format)
    }

    /// Qwen2.5's tool section and Qwen3's thinking, cut down to what the routes rely on.
    static let qwenTemplate = """
    {%- if tools %}<|im_start|>system
    You may call functions.
    <tools>
    {%- for tool in tools %}
    {{ tool | tojson }}
    {%- endfor %}
    </tools>
    Answer with <tool_call>{"name": <function-name>, "arguments": <args-json-object>}</tool_call><|im_end|>
    {% endif %}
    {%- for message in messages %}
    {%- if message.role == "assistant" %}<|im_start|>assistant
    {% if message.reasoning_content %}<think>
    {{ message.reasoning_content }}
    </think>

    {% endif %}{{ message.content }}
    {%- for call in message.tool_calls or [] %}
    <tool_call>
    {"name": "{{ call.function.name }}", "arguments": {{ call.function.arguments | tojson }}}
    </tool_call>
    {%- endfor %}<|im_end|>
    {% elif message.role == "tool" %}<|im_start|>user
    <tool_response>
    {{ message.content }}
    </tool_response><|im_end|>
    {% else %}<|im_start|>{{ message.role }}
    {{ message.content }}<|im_end|>
    {% endif %}
    {%- endfor %}
    {%- if add_generation_prompt %}<|im_start|>assistant
    {% if enable_thinking is defined and enable_thinking is false %}<think>

    </think>

    {% endif %}{% endif %}
    """

    /// A DeepSeek-R1-style generation prompt that opens the model's thinking itself.
    static let openedThinkingTemplate = """
    {%- for message in messages %}<|im_start|>{{ message.role }}
    {{ message.content }}<|im_end|>
    {% endfor %}
    {%- if add_generation_prompt %}<|im_start|>assistant
    <think>
    {% endif %}
    """
}
