import Foundation
import Testing
@testable import Runtime

@Suite struct SamplingOptionsTests {
    @Test func defaultsAreOllamas() {
        let options = SamplingOptions()
        #expect(options.temperature == 0.8)
        #expect(options.topK == 40)
        #expect(options.topP == 0.9)
        #expect(options.minP == 0)
        #expect(options.typicalP == 1)
        #expect(options.repeatLastN == 64)
        #expect(options.repeatPenalty == 1)
        #expect(options.presencePenalty == 0)
        #expect(options.frequencyPenalty == 0)
        #expect(options.seed == -1)
        #expect(options.numPredict == -1)
        #expect(options.stop.isEmpty)
        #expect(!options.isGreedy)
    }

    @Test func decodingOllamaKeysKeepsDefaultsForMissingOnes() throws {
        let json = #"{"temperature":0,"top_k":5,"repeat_last_n":-1,"stop":["\n\n","User:"],"seed":42}"#
        let options = try JSONDecoder().decode(SamplingOptions.self, from: Data(json.utf8))
        #expect(options.temperature == 0)
        #expect(options.isGreedy)
        #expect(options.topK == 5)
        #expect(options.repeatLastN == -1)
        #expect(options.stop == ["\n\n", "User:"])
        #expect(options.seed == 42)
        #expect(options.topP == 0.9)
        #expect(options.numPredict == -1)
    }

    @Test func encodingUsesOllamaKeysAndRoundTrips() throws {
        let options = SamplingOptions(temperature: 0.2, topK: 3, minP: 0.05, typicalP: 0.7, repeatPenalty: 1.1,
                                      frequencyPenalty: 0.5, seed: 7, numPredict: 12, stop: ["###"])
        let data = try JSONEncoder().encode(options)
        let object = try #require(JSONSerialization.jsonObject(with: data) as? [String: Any])
        #expect(Set(object.keys) == ["temperature", "top_k", "top_p", "min_p", "typical_p", "repeat_last_n",
                                     "repeat_penalty", "presence_penalty", "frequency_penalty", "seed",
                                     "num_predict", "stop"])
        #expect(try JSONDecoder().decode(SamplingOptions.self, from: data) == options)
    }
}
