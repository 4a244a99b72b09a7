import ArgumentParser
import Runtime

/// Flags shared by the commands that load a model in-process.
struct ModelOptions: ParsableArguments {
    @Option(name: .customLong("num-ctx"), help: "Context length to allocate (default: the model's, capped at 4096).")
    var contextLength: Int?

    @Option(help: "CPU worker threads (default: one per core).")
    var threads: Int?

    @Option(help: "Sampling temperature (0 = greedy).")
    var temperature: Float?

    @Option(help: "Random seed for sampling (-1 = random).")
    var seed: Int?

    @Option(name: .customLong("num-predict"), help: "Maximum tokens to generate (-1 = until the model stops).")
    var numPredict: Int?

    var loadOptions: EngineLoadOptions {
        EngineLoadOptions(contextLength: contextLength ?? 4096, threads: threads)
    }

    var samplingOptions: SamplingOptions {
        var options = SamplingOptions()
        if let temperature { options.temperature = temperature }
        if let seed { options.seed = seed }
        if let numPredict { options.numPredict = numPredict }
        return options
    }
}
