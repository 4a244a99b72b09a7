import Runtime
import Testing

@Suite struct ModelfileParsingTests {
    @Test func readsEveryCommand() throws {
        let text = """
        # a comment
        FROM smollm2:135m
        parameter temperature 0.2
        PARAMETER stop "<|im_end|>"
        PARAMETER stop <|endoftext|>
        SYSTEM You are terse.
        TEMPLATE \"\"\"{{ .System }}
        {{ .Prompt }}\"\"\"
        MESSAGE user Hello
        MESSAGE assistant "Hi there"
        LICENSE \"\"\"MIT\"\"\"
        ADAPTER ./lora.gguf
        """
        let modelfile = try Modelfile(parsing: text)
        #expect(modelfile.from == "smollm2:135m")
        #expect(modelfile.parameters.map(\.name) == ["temperature", "stop", "stop"])
        #expect(modelfile.parameters.map(\.value) == ["0.2", "<|im_end|>", "<|endoftext|>"])
        #expect(modelfile.system == "You are terse.")
        #expect(modelfile.template == "{{ .System }}\n{{ .Prompt }}")
        #expect(modelfile.messages == [.init(role: "user", content: "Hello"), .init(role: "assistant", content: "Hi there")])
        #expect(modelfile.license == ["MIT"])
        #expect(modelfile.adapters == ["./lora.gguf"])
    }

    @Test func multiLineValuesKeepTheirLines() throws {
        let modelfile = try Modelfile(parsing: "FROM x\nSYSTEM \"\"\"\nline one\nline two\n\"\"\"\n")
        #expect(modelfile.system == "\nline one\nline two\n")
    }

    @Test func errorsNameTheLine() {
        #expect(throws: ModelfileError.unknownCommand("BOGUS", line: 2)) { try Modelfile(parsing: "FROM x\nBOGUS y") }
        #expect(throws: ModelfileError.invalidRole("robot", line: 2)) { try Modelfile(parsing: "FROM x\nMESSAGE robot hi") }
        #expect(throws: ModelfileError.unterminatedQuote(line: 2)) { try Modelfile(parsing: "FROM x\nSYSTEM \"\"\"never closed") }
        #expect(throws: ModelfileError.missingFrom) { try Modelfile(parsing: "SYSTEM hi") }
        #expect(throws: ModelfileError.missingValue(command: "FROM", line: 1)) { try Modelfile(parsing: "FROM") }
    }
}
