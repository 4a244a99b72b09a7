import Testing
@testable import ChatTemplate

/// Modelfile TEMPLATE overrides in Go template syntax.
struct GoTemplateTests {
    @Test func promptStyleTemplateWithSystemAndResponse() throws {
        let t = try GoTemplate(source: """
        {{ if .System }}<|im_start|>system
        {{ .System }}<|im_end|>
        {{ end }}{{ if .Prompt }}<|im_start|>user
        {{ .Prompt }}<|im_end|>
        {{ end }}<|im_start|>assistant
        {{ .Response }}<|im_end|>
        """)
        #expect(try t.render(system: "Be brief.", prompt: "Hi") == "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<|im_end|>")
        #expect(try t.render(prompt: "Hi") == "<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n<|im_end|>")
    }

    @Test func messagesStyleTemplateWithRangeTrimAndLast() throws {
        let t = try GoTemplate(source: """
        {{- range $i, $_ := .Messages }}
        {{- $last := eq (len (slice $.Messages $i)) 1 -}}
        <|start_header_id|>{{ .Role }}<|end_header_id|>

        {{ .Content }}{{ if or (ne .Role "assistant") (not $last) }}<|eot_id|>{{ end }}
        {{- if and $last (ne .Role "assistant") }}<|start_header_id|>assistant<|end_header_id|>

        {{ end }}
        {{- end }}
        """)
        let out = try t.render(messages: [.init(role: "system", content: "S"), .init(role: "user", content: "Hi")])
        #expect(out == "<|start_header_id|>system<|end_header_id|>\n\nS<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nHi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n")
    }

    @Test func elseIfChainsAndComments() throws {
        let t = try GoTemplate(source: "{{/* roles */}}{{ range .Messages }}{{ if eq .Role \"user\" }}U:{{ .Content }} {{ else if eq .Role \"assistant\" }}A:{{ .Content }} {{ else }}?{{ end }}{{ end }}")
        #expect(try t.render(messages: [.init(role: "user", content: "a"), .init(role: "assistant", content: "b"), .init(role: "tool", content: "c")]) == "U:a A:b ?")
    }

    @Test func toolCallsAndToolsRenderAsJSON() throws {
        let t = try GoTemplate(source: "{{ if .Tools }}{{ json .Tools }}{{ end }}{{ range .Messages }}{{ range .ToolCalls }}{{ .Function.Name }}{{ json .Function.Arguments }}{{ end }}{{ end }}")
        let call = ToolCall(name: "get_weather", arguments: ["city": .string("Paris")])
        let out = try t.render(messages: [.init(role: "assistant", content: "", toolCalls: [call])], tools: [.object(["name": .string("get_weather")])])
        #expect(out == #"[{"name":"get_weather"}]get_weather{"city":"Paris"}"#)
        #expect(t.capabilities == [.tools])
    }

    @Test func unsupportedFeaturesAreNamed() throws {
        #expect(throws: GoTemplateError.unsupported("{{template}}", line: 1)) { _ = try GoTemplate(source: "{{ template \"x\" }}") }
        #expect(throws: GoTemplateError.unsupported("the function \"toTypeScriptType\"", line: 2)) {
            _ = try GoTemplate(source: "ok\n{{ toTypeScriptType .Tools }}").render()
        }
        #expect(throws: GoTemplateError.unsupported("the field .Images", line: 1)) { _ = try GoTemplate(source: "{{ .Images }}").render() }
        #expect(throws: GoTemplateError.self) { _ = try GoTemplate(source: "{{ if .System }}never ended") }
    }
}
