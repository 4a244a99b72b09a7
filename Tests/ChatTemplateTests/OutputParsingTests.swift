import Testing
@testable import ChatTemplate

/// Every parser must give the same result however the output is cut into chunks.
struct OutputParsingTests {
    /// All ways to cut `text` into two chunks, at every scalar boundary, plus scalar by scalar.
    static func chunkings(_ text: String) -> [[String]] {
        let scalars = Array(text.unicodeScalars)
        var result: [[String]] = [[text], scalars.map { String($0) }]
        for cut in 1..<max(1, scalars.count) {
            result.append([MarkerSearch.string(scalars[..<cut]), MarkerSearch.string(scalars[cut...])])
        }
        return result
    }

    static func split(_ chunks: [String], _ make: () -> ThinkingSplitter) -> ThinkingSplitter.Output {
        var splitter = make()
        var total = ThinkingSplitter.Output()
        for chunk in chunks + [""] {
            let o = chunks.isEmpty ? splitter.finish() : splitter.feed(chunk)
            total.thinking += o.thinking
            total.content += o.content
        }
        let o = splitter.finish()
        total.thinking += o.thinking
        total.content += o.content
        return total
    }

    static func parse(_ chunks: [String], _ format: ToolCallFormat) -> [ParsedOutput] {
        var parser = ToolCallParser(format: format)
        var events: [ParsedOutput] = []
        for chunk in chunks { events += parser.feed(chunk) }
        events += parser.finish()
        // Content may legitimately arrive in several pieces; merge for comparison.
        var merged: [ParsedOutput] = []
        for e in events {
            if case .content(let t) = e, case .content(let p)? = merged.last { merged[merged.count - 1] = .content(p + t) } else { merged.append(e) }
        }
        return merged
    }

    static func call(_ name: String, _ json: String) -> ParsedOutput {
        guard case .dict(let d) = try! JSON.parse(json) else { fatalError() }
        return .toolCall(ToolCall(name: name, arguments: d))
    }

    // MARK: thinking

    @Test(arguments: [
        ("<think>\nLet me see.\n</think>\n\nParis.", "Let me see.", "Paris."),
        ("  <think>a</think>b", "a", "b"),
        ("No thinking here.", "", "No thinking here."),
        ("<thi is not a tag", "", "<thi is not a tag"),
        ("<think>unfinished thought", "unfinished thought", ""),
        ("<think>x < y </thin but not closed</think> done", "x < y </thin but not closed", "done"),
        ("<think>日本 🗼</think>答え", "日本 🗼", "答え"),
    ])
    func thinkingSplitsAtMarkersWhereverTheStreamIsCut(_ text: String, _ thinking: String, _ content: String) {
        for chunks in Self.chunkings(text) {
            let o = Self.split(chunks) { ThinkingSplitter() }
            #expect(o == ThinkingSplitter.Output(thinking: thinking, content: content), "chunks: \(chunks)")
        }
    }

    @Test func outputThatStartsInsideThinkingNeedsOnlyTheClosingMarker() {
        for chunks in Self.chunkings("The user wants X.\n</think>\n\nHere is X.") {
            let o = Self.split(chunks) { ThinkingSplitter(startsInsideThinking: true) }
            #expect(o == ThinkingSplitter.Output(thinking: "The user wants X.", content: "Here is X."), "chunks: \(chunks)")
        }
    }

    @Test func modelSpecificMarkersAreParameters() {
        for chunks in Self.chunkings("<seed:think>plan</seed:think>answer") {
            let o = Self.split(chunks) { ThinkingSplitter(openTag: "<seed:think>", closeTag: "</seed:think>") }
            #expect(o == ThinkingSplitter.Output(thinking: "plan", content: "answer"))
        }
    }

    @Test func thinkingIsReleasedBeforeTheMarkerArrives() {
        var splitter = ThinkingSplitter()
        #expect(splitter.feed("<think>first ") == ThinkingSplitter.Output(thinking: "first"))
        #expect(splitter.feed("part</th") == ThinkingSplitter.Output(thinking: " part"))
        #expect(splitter.feed("ink>answer") == ThinkingSplitter.Output(content: "answer"))
    }

    // MARK: tool calls

    @Test func hermesToolCallsAreParsedWhereverTheStreamIsCut() {
        let text = "Let me check.\n<tool_call>\n{\"name\": \"get_weather\", \"arguments\": {\"city\": \"Zürich\", \"unit\": \"celsius\"}}\n</tool_call>\n<tool_call>{\"name\": \"get_time\", \"arguments\": \"{\\\"zone\\\": \\\"CET\\\"}\"}</tool_call>"
        let expected: [ParsedOutput] = [
            .content("Let me check.\n"),
            Self.call("get_weather", #"{"city": "Zürich", "unit": "celsius"}"#),
            .content("\n"),
            Self.call("get_time", #"{"zone": "CET"}"#),
        ]
        for chunks in Self.chunkings(text) { #expect(Self.parse(chunks, .hermes) == expected, "chunks: \(chunks)") }
    }

    @Test func toolCallArgumentsKeepTheModelsKeyOrder() throws {
        let events = Self.parse([#"<tool_call>{"name": "f", "arguments": {"z": 1, "a": 2, "m": 3}}</tool_call>"#], .hermes)
        guard case .toolCall(let call)? = events.first else { Issue.record("no call"); return }
        #expect(call.arguments.keys == ["z", "a", "m"])
    }

    @Test func contentIsReleasedAsSoonAsItCannotBeATag() {
        var parser = ToolCallParser(format: .hermes)
        #expect(parser.feed("Hello <to") == [.content("Hello ")])
        #expect(parser.feed("day") == [.content("<today")])
    }

    @Test func closingTagInsideAnArgumentStringDoesNotEndTheCall() {
        let text = #"<tool_call>{"name": "say", "arguments": {"text": "a </tool_call> b"}}</tool_call>after"#
        for chunks in Self.chunkings(text) {
            #expect(Self.parse(chunks, .hermes) == [Self.call("say", #"{"text": "a </tool_call> b"}"#), .content("after")], "chunks: \(chunks)")
        }
    }

    @Test func unfinishedTaggedCallIsReleasedAsContentAtTheEnd() {
        let text = #"<tool_call>{"name": "say", "arguments": {"#
        for chunks in Self.chunkings(text) { #expect(Self.parse(chunks, .hermes) == [.content(text)]) }
    }

    @Test func malformedTaggedCallIsReleasedAsContent() {
        let text = "<tool_call>{not json}</tool_call>after"
        for chunks in Self.chunkings(text) { #expect(Self.parse(chunks, .hermes) == [.content(text)]) }
    }

    @Test func llama3JSONCallsWithAndWithoutPythonTag() {
        let single = #"{"name": "get_weather", "parameters": {"city": "Paris"}}"#
        for chunks in Self.chunkings("  " + single) {
            #expect(Self.parse(chunks, .llama3JSON) == [Self.call("get_weather", #"{"city": "Paris"}"#)])
        }
        let tagged = "<|python_tag|>" + single + "; " + #"{"name": "get_time", "parameters": {"zone": "CET"}}"#
        for chunks in Self.chunkings(tagged) {
            #expect(Self.parse(chunks, .llama3JSON) == [Self.call("get_weather", #"{"city": "Paris"}"#), Self.call("get_time", #"{"zone": "CET"}"#)], "chunks: \(chunks)")
        }
    }

    @Test func llama3PlainRepliesAndNonCallJSONStayContent() {
        for text in ["The answer is {42}.", #"{"answer": 42}"#, "<|python_ta but not really"] {
            for chunks in Self.chunkings(text) { #expect(Self.parse(chunks, .llama3JSON) == [.content(text)], "chunks: \(chunks)") }
        }
    }

    @Test func mistralArrayAndNamedCallSyntaxes() {
        let array = #"Sure.[TOOL_CALLS] [{"name": "get_weather", "arguments": {"city": "Paris"}}, {"name": "get_time", "arguments": {}}]"#
        for chunks in Self.chunkings(array) {
            #expect(Self.parse(chunks, .mistral) == [.content("Sure."), Self.call("get_weather", #"{"city": "Paris"}"#), Self.call("get_time", "{}")], "chunks: \(chunks)")
        }
        let named = #"[TOOL_CALLS]get_weather[ARGS]{"city": "Paris"}[TOOL_CALLS]get_time[CALL_ID]a1b2c3d4e[ARGS]{"zone": "CET"}"#
        for chunks in Self.chunkings(named) {
            #expect(Self.parse(chunks, .mistral) == [Self.call("get_weather", #"{"city": "Paris"}"#), Self.call("get_time", #"{"zone": "CET"}"#)], "chunks: \(chunks)")
        }
    }

    @Test func mistralTextWithoutCallsPassesThrough() {
        for text in ["Plain [TOOL_ answer", "[TOOL_CALLS] not json at all"] {
            for chunks in Self.chunkings(text) { #expect(Self.parse(chunks, .mistral) == [.content(text)], "chunks: \(chunks)") }
        }
    }

    // MARK: capabilities

    @Test func capabilitiesComeFromWhatTheTemplateUses() throws {
        #expect(try ChatTemplate(source: "{% for m in messages %}{{ m.content }}{% endfor %}").capabilities == [])
        #expect(try ChatTemplate(source: "{% if tools %}{{ tools | tojson }}{% endif %}").capabilities == [.tools])
        #expect(try ChatTemplate(source: "{% if enable_thinking is false %}x{% endif %}").capabilities == [.thinking])
        #expect(try ChatTemplate(source: "{{ m['reasoning_content'] }}").capabilities == [.thinking])
        #expect(try ChatTemplate(source: "{{ '<think>\\n' }}").capabilities == [.thinking])
        #expect(try ChatTemplate(source: "<PRE>{{ prompt }}<SUF>{{ suffix }}<MID>").capabilities == [.insert])
    }

    @Test func capabilitiesOfOurFamilyTemplates() throws {
        func caps(_ name: String) throws -> TemplateCapabilities {
            try ChatTemplate(source: FixtureFiles.text(FixtureFiles.fixtures.appendingPathComponent("templates/\(name)"))!).capabilities
        }
        #expect(try caps("chatml.jinja") == [])
        #expect(try caps("qwen2.5-tools.jinja") == [.tools])
        #expect(try caps("qwen3-thinking.jinja") == [.thinking])
        #expect(try caps("deepseek-r1.jinja") == [.thinking])
        #expect(try caps("llama3.jinja") == [.tools])
    }
}
