import CPUEngine
import EngineInterface
import Foundation
import GGUF
import Testing
import TestSupport
import Tokenizer
@testable import Runtime

/// The default model answering 20 prompts under `format: "json"` and three schemas of
/// increasing depth, sampled at temperature 0.8 with fixed seeds: every answer must parse and
/// validate. Skipped when the model is not available.
@Suite(.serialized, .enabled(if: TestModels.hasDefaultModel))
struct GrammarModelTests {
    static let prompts = [
        "Describe a calm sunrise over the sea.", "A thunderstorm is coming.", "Visitors are dancing.",
        "The room is empty at night.", "Someone whispers a secret.", "Welcome the first visitor of the day.",
        "A child laughs near the screen.", "Rain on the glass roof.", "Celebrate a birthday.",
        "The museum is about to close.", "A quiet moment of reflection.", "Autumn leaves are falling.",
        "Show the colours of a forest.", "A jazz band starts to play.", "Snow is falling outside.",
        "Imitate a campfire.", "The moon rises.", "A crowd gathers around the art.",
        "Say goodbye to the last visitor.", "A surprise: the power came back on.",
    ]

    static let flat = """
        {"type":"object","properties":{"mood":{"type":"string","maxLength":40},"intensity":{"type":"integer","minimum":1,"maximum":10},
         "loud":{"type":"boolean"}},"required":["mood","intensity","loud"]}
        """
    static let lightCue = """
        {"type":"object","properties":{"scene":{"type":"string","maxLength":40},"color":{"enum":["red","green","blue","white","off"]},
         "brightness":{"type":"integer","minimum":0,"maximum":100},"tags":{"type":"array","items":{"type":"string","maxLength":16},"maxItems":3}},
         "required":["scene","color","brightness"]}
        """
    static let show = """
        {"type":"object","properties":{"title":{"type":"string","maxLength":40},
         "cues":{"type":"array","minItems":1,"maxItems":2,"items":{"$ref":"#/$defs/cue"}}},"required":["title","cues"],
         "$defs":{"cue":{"type":"object","properties":{"at":{"type":"integer","minimum":0,"maximum":600},
          "light":{"type":"object","properties":{"rgb":{"type":"array","items":{"type":"integer","minimum":0,"maximum":255},"minItems":3,"maxItems":3},
           "fade":{"anyOf":[{"type":"number"},{"type":"null"}]}},"required":["rgb","fade"]}},"required":["at","light"]}}}
        """

    static let session: ModelSession? = {
        guard let url = TestModels.defaultModelURL(), let file = try? GGUFFile(path: url.path),
              let tokenizer = try? BPETokenizer(configuration: TokenizerConfiguration(ggufFile: file)),
              let engine = try? CPUEngine(file: file, contextLength: 1024),
              let format = try? ModelLoader.promptFormat(for: file, tokenizer: tokenizer) else { return nil }
        return ModelSession(engine: engine, tokenizer: tokenizer, promptFormat: format)
    }()

    func answer(_ prompt: String, instruction: String, grammar: Grammar, seed: Int) async throws -> (text: String, reason: DoneReason?) {
        let session = try #require(Self.session)
        let text = try await session.promptFormat.render([ChatMessage(role: "user", content: "\(prompt) \(instruction)")], addGenerationPrompt: true)
        let prompt = await session.tokenizer.encode(text, parseSpecial: true)
        var options = SamplingOptions(temperature: 0.8, seed: seed)
        options.numPredict = 128
        var output = "", reason: DoneReason?
        for try await event in session.generate(prompt: prompt, options: options, constraint: OutputConstraint(grammar: grammar)) {
            switch event {
            case let .text(piece): output += piece
            case let .done(r, _, _): reason = r
            }
        }
        return (output, reason)
    }

    @Test(arguments: [("json", nil as String?), ("flat", flat), ("light cue", lightCue), ("show", show)])
    func everyAnswerParsesAndValidates(name: String, schema: String?) async throws {
        let grammar = try schema.map { try Grammar.jsonSchema(text: $0) } ?? .jsonObject
        let validator = try schema.map { SchemaValidator(root: try SchemaValue(parsing: $0)) }
        let instruction = schema.map { "Answer in JSON following this schema: \($0)" } ?? "Answer in JSON."
        var failures: [String] = []
        let clock = ContinuousClock()
        let start = clock.now
        for (index, prompt) in Self.prompts.enumerated() {
            let result = try await answer(prompt, instruction: instruction, grammar: grammar, seed: 1000 + index)
            guard parseJSON(result.text) != nil else {
                failures.append("[\(index)] does not parse (\(result.reason.map { "\($0)" } ?? "?")): \(result.text)")
                continue
            }
            if let validator {
                let problems = validator.validate(try SchemaValue(parsing: result.text))
                if !problems.isEmpty { failures.append("[\(index)] \(problems): \(result.text)") }
            }
            if index < 2 { print("\(name) [\(index)]: \(result.text)") }
        }
        print("\(name): \(Self.prompts.count - failures.count)/\(Self.prompts.count) valid in \(clock.now - start)")
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
