import Foundation
import Testing
@testable import ChatTemplate

/// Hostile templates must end in a thrown error, quickly, with a template position.
struct SafetyLimitTests {
    func render(_ source: String, limits: RenderLimits = .default) throws(TemplateError) -> String {
        try ChatTemplate(source: source, limits: limits).render(messages: [], addGenerationPrompt: true)
    }

    func expectStopped(_ source: String, limits: RenderLimits = .default, line: Int? = nil, sourceLocation: Testing.SourceLocation = #_sourceLocation) {
        let start = ContinuousClock.now
        do {
            let out = try render(source, limits: limits)
            Issue.record("rendered \(out.utf8.count) bytes instead of stopping", sourceLocation: sourceLocation)
        } catch {
            if let line { #expect(error.location.line == line, "\(error)", sourceLocation: sourceLocation) }
        }
        #expect(ContinuousClock.now - start < .seconds(10), sourceLocation: sourceLocation)
    }

    @Test func hugeRangeIsRefusedLikeJinja2Sandbox() {
        expectStopped("{% for i in range(10**9) %}x{% endfor %}", line: 1)
    }

    @Test func nestedLoopsHitTheIterationLimit() {
        var limits = RenderLimits()
        limits.maxLoopIterations = 50_000
        expectStopped("{% for a in range(1000) %}{% for b in range(1000) %}{% endfor %}{% endfor %}", limits: limits)
    }

    @Test func infiniteMacroRecursionHitsTheDepthLimit() {
        expectStopped("\n{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}", line: 2)
    }

    @Test func stringMultiplicationCannotAllocateAGigabyte() {
        expectStopped("{{ 'x' * 10**9 }}", line: 1)
    }

    @Test func doublingAStringInALoopHitsTheOutputLimit() {
        expectStopped("{% set ns = namespace(s='ab') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s }}")
    }

    @Test func hugeOutputHitsTheOutputLimit() {
        var limits = RenderLimits()
        limits.maxOutputLength = 100_000
        expectStopped("{% for a in range(1000) %}{% for b in range(1000) %}xx{% endfor %}{% endfor %}", limits: limits)
    }

    @Test func stepLimitStopsLongRenders() {
        var limits = RenderLimits()
        limits.maxSteps = 10_000
        expectStopped("{% for a in range(100000) %}{% if a > 1 %}{% endif %}{% endfor %}", limits: limits)
    }

    @Test func integerOverflowIsAnErrorNotACrash() {
        expectStopped("{{ 2 ** 70 }}")
        expectStopped("{{ 9223372036854775807 + 1 }}")
    }

    @Test(arguments: [
        ("{% if x %}never closed", 1),
        ("{{ 1 + }}", 1),
        ("ok\n{% for %}", 2),
        ("{% endfor %}", 1),
        ("{{ 'unterminated }}", 1),
        ("{% do x.append(1) %}", 1),
        ("a\n\n  {{ x ) }}", 3),
        ("{# never closed", 1),
    ])
    func syntaxErrorsCarryTheirLine(_ source: String, _ line: Int) {
        #expect {
            _ = try ChatTemplate(source: source)
        } throws: { error in
            guard let e = error as? TemplateError, case .syntax = e else { return false }
            return e.location.line == line
        }
    }

    @Test func runtimeErrorsCarryLineAndColumn() {
        #expect {
            _ = try render("line one\n  {{ messages[0].content.missing.deeper }}")
        } throws: { error in
            guard let e = error as? TemplateError, case .runtime = e else { return false }
            return e.location.line == 2 && e.location.column > 1
        }
    }

    @Test func raiseExceptionSurfacesTheTemplateMessage() {
        #expect(throws: TemplateError.raised("Conversation roles must alternate", TemplateLocation(line: 1, column: 4))) {
            _ = try render("{{ raise_exception('Conversation roles must alternate') }}")
        }
    }

    @Test func mutatingMethodsAreRefusedAsInTheImmutableSandbox() {
        #expect(throws: TemplateError.self) { _ = try render("{% set l = [1] %}{% set _ = l.append(2) %}") }
        #expect(throws: TemplateError.self) { _ = try render("{% set d = {'a': 1} %}{{ d.pop('a') }}") }
    }

    @Test func templatesSeeNothingBeyondTheirContext() throws {
        #expect(try render("{{ messages.__class__ }}{{ range.__globals__ is defined }}{{ cycler is defined }}") == "False" + "False")
    }
}
