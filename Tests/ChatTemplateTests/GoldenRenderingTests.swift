import Foundation
import Testing
@testable import ChatTemplate

/// Renders every template x conversation of the goldens file (made by
/// scripts/render-chat-template-goldens.py with Python's jinja2, set up as transformers sets it
/// up) and compares byte for byte.
struct GoldenRenderingTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let template: String
        let origin: String
        let conversation: String
        let variables: OrderedDictionary<String, Value>
        let expected: Result<String, GoldenError>
        var testDescription: String { "\(template) × \(conversation)" }
    }

    struct GoldenError: Error, Sendable { let message: String }

    static let corpus: (cases: [Case], now: Date) = load()

    static func load() -> ([Case], Date) {
        guard let text = FixtureFiles.text(FixtureFiles.fixtures.appendingPathComponent("chat-template-goldens.json")),
              case .dict(let root)? = try? JSON.parse(text),
              case .dict(let conversations)? = root["conversations"],
              case .dict(let templates)? = root["templates"],
              case .list(let cases)? = root["cases"] else { return ([], Date()) }
        var out: [Case] = []
        for c in cases {
            guard case .dict(let d) = c, case .string(let name)? = d["template"], case .string(let conversation)? = d["conversation"],
                  case .dict(let info)? = templates[name], case .string(let origin)? = info["origin"],
                  case .dict(var variables)? = conversations[conversation] else { continue }
            if variables["tools"] == nil { variables["tools"] = Value.none }
            if variables["documents"] == nil { variables["documents"] = Value.none }
            if case .dict(let tokens)? = info["special_tokens"] { for (k, v) in tokens.pairs { variables[k] = v } }
            let expected: Result<String, GoldenError>
            if case .string(let output)? = d["output"] { expected = .success(output) }
            else { expected = .failure(GoldenError(message: d["error"]?.pythonString ?? "")) }
            out.append(Case(template: name, origin: origin, conversation: conversation, variables: variables, expected: expected))
        }
        // The goldens fix strftime_now to this naive local time; the tests render it in UTC.
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let now = calendar.date(from: DateComponents(year: 2025, month: 3, day: 14, hour: 9, minute: 26, second: 53))!
        return (out, now)
    }

    static func source(of c: Case) -> String? {
        if c.origin == "local" { return FixtureFiles.text(FixtureFiles.fixtures.appendingPathComponent("templates/\(c.template)")) }
        guard let shared = FixtureFiles.sharedTemplates else { return nil }
        return FixtureFiles.text(shared.appendingPathComponent(c.template))
    }

    static let clock = TemplateClock(now: { [now = corpus.now] in now }, timeZone: TimeZone(identifier: "UTC")!)

    @Test func goldensFileCoversOurOwnTemplates() {
        let local = Set(Self.corpus.cases.filter { $0.origin == "local" }.map(\.template))
        #expect(local.count >= 8)
        #expect(Self.corpus.cases.count >= local.count * 10)
    }

    @Test(arguments: corpus.cases)
    func rendersLikeJinja2(_ c: Case) throws {
        guard let source = Self.source(of: c) else { return }  // shared fixtures absent: skipped
        let outcome: Result<String, TemplateError> = Result { () throws(TemplateError) in
            try ChatTemplate(source: source, clock: Self.clock).render(context: c.variables)
        }
        switch (c.expected, outcome) {
        case (.success(let expected), .success(let actual)):
            #expect(actual == expected, "\(c.testDescription): first difference at \(Self.firstDifference(actual, expected))")
        case (.failure, .failure):
            break
        case (.success, .failure(let error)):
            Issue.record("\(c.testDescription): jinja2 renders it but we threw \(error)")
        case (.failure(let error), .success):
            Issue.record("\(c.testDescription): jinja2 fails with \(error.message) but we rendered")
        }
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        var i = 0
        while i < x.count, i < y.count, x[i] == y[i] { i += 1 }
        func context(_ s: [Unicode.Scalar]) -> String {
            var v = String.UnicodeScalarView(); v.append(contentsOf: s[max(0, i - 30)..<min(s.count, i + 30)]); return String(v).debugDescription
        }
        return "scalar \(i): ours \(context(x)) vs jinja2 \(context(y))"
    }
}
