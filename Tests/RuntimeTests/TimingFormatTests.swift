import Testing
@testable import Runtime

@Suite struct TimingFormatTests {
    @Test(arguments: [
        (UInt64(0), "0s"), (999, "999ns"), (1_500, "1.5µs"), (118_253_000, "118.253ms"),
        (1_000_000_000, "1s"), (5_043_524_000, "5.043524s"), (62_500_000_000, "1m2.5s"),
        (3_600_000_000_000, "1h0m0s"),
    ])
    func formatsDurationsLikeGo(nanoseconds: UInt64, text: String) {
        #expect(formatGoDuration(nanoseconds: nanoseconds) == text)
    }
}

@Suite struct ChatMLPromptFormatTests {
    @Test func rendersTurnsAndTheGenerationPrompt() throws {
        let format = ChatMLPromptFormat()
        let text = try format.render([.system("Be brief."), .user("Hi"), .assistant("Hello."), .user("Bye")], addGenerationPrompt: true)
        #expect(text == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\nHello.<|im_end|>\n<|im_start|>user\nBye<|im_end|>\n<|im_start|>assistant\n")
    }

    @Test func insertsTheDefaultSystemPromptOnlyWhenNoneIsGiven() throws {
        let format = ChatMLPromptFormat(defaultSystemPrompt: "Default.")
        #expect(try format.render([.user("Hi")], addGenerationPrompt: false) == "<|im_start|>system\nDefault.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
        #expect(try format.render([.system("Mine."), .user("Hi")], addGenerationPrompt: false) == "<|im_start|>system\nMine.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n")
    }
}
