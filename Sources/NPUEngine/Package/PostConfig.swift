import Foundation

/// The sampling defaults a package ships in `post_config.json` (axera.md §3.2). Disabled
/// settings are nil; the model's default options are built from the rest.
public struct PostConfig: Sendable, Equatable {
    public var temperature: Double?
    public var topK: Int?
    public var topP: Double?
    public var repetitionPenalty: Double?
    public var penaltyWindow: Int?

    public init(temperature: Double? = nil, topK: Int? = nil, topP: Double? = nil, repetitionPenalty: Double? = nil,
                penaltyWindow: Int? = nil) {
        self.temperature = temperature
        self.topK = topK
        self.topP = topP
        self.repetitionPenalty = repetitionPenalty
        self.penaltyWindow = penaltyWindow
    }

    /// The vendor's shipped file: temperature 0.9 and top-k 10 on, top-p 0.8 and repetition
    /// penalty 1.2 (window 20) off (ax-llm src/post_config.json).
    public static func vendorDefaultObject() -> [String: Any] {
        [
        "enable_temperature": true, "temperature": 0.9,
        "enable_repetition_penalty": false, "repetition_penalty": 1.2, "penalty_window": 20,
        "enable_top_p_sampling": false, "top_p": 0.8,
        "enable_top_k_sampling": true, "top_k": 10,
        ]
    }

    public init(contentsOf url: URL) throws {
        guard let object = try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any] else {
            throw NPUEngineError.invalidPackage(directory: url.deletingLastPathComponent().path, reason: "post_config.json is not an object")
        }
        self.init(object: object)
    }

    public init(object: [String: Any]) {
        func enabled(_ key: String) -> Bool { object["enable_" + key] as? Bool ?? false }
        func double(_ key: String) -> Double? { (object[key] as? NSNumber)?.doubleValue }
        temperature = enabled("temperature") ? double("temperature") : nil
        topK = enabled("top_k_sampling") ? double("top_k").map { Int($0) } : nil
        topP = enabled("top_p_sampling") ? double("top_p") : nil
        repetitionPenalty = enabled("repetition_penalty") ? double("repetition_penalty") : nil
        penaltyWindow = repetitionPenalty != nil ? double("penalty_window").map { Int($0) } : nil
    }
}
