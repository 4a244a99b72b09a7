import GGUF
import Testing
import TestSupport
import Tokenizer
@testable import Runtime

@Suite struct ModelPromptFormatTests {
    @Test(.enabled(if: TestModels.hasDefaultModel, "the default model is not in the store"))
    func defaultModelRendersItsOwnTemplate() throws {
        let file = try GGUFFile(path: #require(TestModels.defaultModelURL()).path)
        let tokenizer = try BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file))
        let format = try ModelLoader.promptFormat(for: file, tokenizer: tokenizer)
        #expect(format is ChatTemplatePromptFormat)
        // SmolLM2's template adds its default system prompt when the conversation has none.
        let expected = try ChatMLPromptFormat(defaultSystemPrompt: "You are a helpful AI assistant named SmolLM, trained by Hugging Face")
            .render([.user("Hi"), .assistant("Hello."), .user("Bye")], addGenerationPrompt: true)
        #expect(try format.render([.user("Hi"), .assistant("Hello."), .user("Bye")], addGenerationPrompt: true) == expected)
        let withSystem = try format.render([.system("Be brief."), .user("Hi")], addGenerationPrompt: false)
        #expect(withSystem == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
    }

    @Test func chatTemplateFormatPassesSpecialTokens() throws {
        let format = try ChatTemplatePromptFormat(
            source: "{{ bos_token }}{% for m in messages %}[{{ m.role }}]{{ m.content }}{{ eos_token }}{% endfor %}{% if add_generation_prompt %}[assistant]{% endif %}",
            beginOfSequence: "<s>", endOfSequence: "</s>")
        #expect(try format.render([.user("a"), .assistant("b")], addGenerationPrompt: true) == "<s>[user]a</s>[assistant]b</s>[assistant]")
    }
}
