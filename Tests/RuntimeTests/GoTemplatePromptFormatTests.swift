import Testing
@testable import Runtime

@Suite struct GoTemplatePromptFormatTests {
    @Test func messagesTemplateSeesTheWholeConversation() throws {
        let format = try GoTemplatePromptFormat(source: "{{ range .Messages }}<{{ .Role }}>{{ .Content }}</{{ .Role }}>{{ end }}<assistant>")
        let text = try format.render([.system("S"), .user("Q1"), .assistant("A1"), .user("Q2")], addGenerationPrompt: true)
        #expect(text == "<system>S</system><user>Q1</user><assistant>A1</assistant><user>Q2</user><assistant>")
    }

    @Test func promptTemplateIsRenderedOncePerTurn() throws {
        let format = try GoTemplatePromptFormat(source: "{{ if .System }}[S:{{ .System }}]{{ end }}[U:{{ .Prompt }}][A:{{ .Response }}]")
        let text = try format.render([.system("Be brief."), .user("Q1"), .assistant("A1"), .user("Q2")], addGenerationPrompt: true)
        #expect(text == "[S:Be brief.][U:Q1][A:A1][U:Q2][A:]")
        #expect(try format.render([.user("only")], addGenerationPrompt: true) == "[U:only][A:]")
    }

    @Test func capabilitiesComeFromTheTemplate() throws {
        let plain = try GoTemplatePromptFormat(source: "{{ .Prompt }}")
        #expect(plain.capabilities.isEmpty)
        let fim = try GoTemplatePromptFormat(source: "<pre>{{ .Prompt }}<suf>{{ .Suffix }}<mid>")
        #expect(fim.capabilities.contains(.insert))
    }

    @Test func unsupportedTemplateSyntaxIsAnError() {
        #expect(throws: (any Error).self) { try GoTemplatePromptFormat(source: "{{ template \"x\" }}") }
    }
}
