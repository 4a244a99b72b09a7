import ArgumentParser
import CPUEngine
import EngineInterface
import Foundation
import GGUF

/// `axllama bench`: prefill and decode speed of the CPU engine on a GGUF model.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench", abstract: "Measure prompt-processing and decode speed of the CPU engine.")

    @Option(help: "Path of a .gguf file (llama, qwen2 or qwen3 architecture).")
    var model: String

    @Option(help: "Prompt lengths to measure, comma-separated.")
    var promptLengths: String = "128,512"

    @Option(help: "Tokens to decode greedily after each prompt.")
    var decodeTokens: Int = 128

    @Option(help: "Worker threads (default: all cores).")
    var threads: Int?

    @Option(help: "Measured repetitions per prompt length (after one warm-up).")
    var repetitions: Int = 1

    @Option(help: "A JSON array of token ids to cut the prompts from (default: synthetic ids).")
    var promptTokensFile: String?

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    func run() throws {
        let file = try GGUFFile(path: model)
        let lengths = promptLengths.split(separator: ",").compactMap { Int($0) }
        var source: [TokenID] = []
        if let path = promptTokensFile {
            source = try JSONDecoder().decode([TokenID].self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        }
        var report: [String: [BenchmarkResult]] = [:]
        if !json { print("kernels: \(CPUEngine.kernelPath)") }
        for length in lengths {
            let prompt = source.isEmpty
                ? CPUEngineBenchmark.syntheticPrompt(length: length, vocabularySize: file.tensor(named: "token_embd.weight")?.dimensions.last ?? 32000)
                : (0..<length).map { source[$0 % source.count] }
            let results = try CPUEngineBenchmark.run(file: file, promptTokens: prompt, decodeTokens: decodeTokens,
                                                     threads: threads, repetitions: repetitions)
            report["prompt_\(length)"] = results
            if !json {
                for r in results {
                    let prefill = formatFixed(r.prefillTokensPerSecond, digits: 1)
                    let decode = formatFixed(r.decodeTokensPerSecond, digits: 1)
                    let load = formatFixed(r.decodeProcessCPUSeconds / r.decodeSeconds, digits: 2)
                    let fastest = formatFixed(r.decodeFastestTokenSeconds * 1000, digits: 2)
                    let median = formatFixed(r.decodeMedianTokenSeconds * 1000, digits: 2)
                    print("prompt \(length): prefill \(prefill) tok/s, decode \(r.decodeTokens) \(decode) tok/s (\(r.threads) threads, \(load) CPU-s per s; step fastest \(fastest) ms, median \(median) ms)")
                }
            }
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        }
    }
}
