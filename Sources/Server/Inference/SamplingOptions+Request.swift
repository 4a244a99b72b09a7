import OllamaAPI
import Runtime

extension SamplingOptions {
    /// Ollama's defaults, overridden by the model's PARAMETERs, overridden by the request.
    init(_ options: RequestOptions) {
        self.init()
        if let value = options.temperature { temperature = Float(value) }
        if let value = options.topK { topK = value }
        if let value = options.topP { topP = Float(value) }
        if let value = options.minP { minP = Float(value) }
        if let value = options.typicalP { typicalP = Float(value) }
        if let value = options.repeatLastN { repeatLastN = value }
        if let value = options.repeatPenalty { repeatPenalty = Float(value) }
        if let value = options.presencePenalty { presencePenalty = Float(value) }
        if let value = options.frequencyPenalty { frequencyPenalty = Float(value) }
        if let value = options.seed { seed = value }
        if let value = options.numPredict { numPredict = value }
        if let value = options.stop { stop = value }
    }
}
