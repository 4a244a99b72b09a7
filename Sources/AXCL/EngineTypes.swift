import CAXCL

/// A model loaded on a card (`axclrtEngineLoadFromFile`).
public struct EngineModel: Sendable, Hashable {
    public let id: UInt64
    /// What the model's compiler reports, e.g. `3.3 ae03a08f`.
    public let compilerVersion: String
}

/// An engine context of a model (`axclrtEngineCreateContext`); not the runtime's thread context.
public struct EngineContext: Sendable, Hashable {
    public let id: UInt64
}

/// One input or output of a model in one shape group.
public struct EngineTensor: Sendable, Equatable {
    public let index: Int
    public let name: String
    public let dataType: EngineDataType
    public let dimensions: [Int]
    public let byteCount: Int

    /// As the runtime's IO info describes a tensor; public so that what the engine concludes from
    /// an IO table can be checked on tables no simulated model declares.
    public init(index: Int, name: String, dataType: EngineDataType, dimensions: [Int], byteCount: Int) {
        self.index = index
        self.name = name
        self.dataType = dataType
        self.dimensions = dimensions
        self.byteCount = byteCount
    }
}

/// One shape group: the same tensor names with this group's dimensions and sizes (axera.md §3.4).
public struct ShapeGroup: Sendable, Equatable {
    public let index: Int
    public let inputs: [EngineTensor]
    public let outputs: [EngineTensor]

    public init(index: Int, inputs: [EngineTensor], outputs: [EngineTensor]) {
        self.index = index
        self.inputs = inputs
        self.outputs = outputs
    }

    public func input(named name: String) -> EngineTensor? { inputs.first { $0.name == name } }
    public func output(named name: String) -> EngineTensor? { outputs.first { $0.name == name } }
}

/// The IO description of a model, read in full from the runtime's IO info object, which stays
/// alive (for `createIO`) until `destroy(_:)`.
public struct EngineIOInfo: @unchecked Sendable {
    let handle: axclrtEngineIOInfo
    public let groups: [ShapeGroup]

    public var inputNames: [String] { groups.first?.inputs.map(\.name) ?? [] }
    public var outputNames: [String] { groups.first?.outputs.map(\.name) ?? [] }
}

/// Bindings of device buffers to a model's inputs and outputs (`axclrtEngineCreateIO`).
public struct EngineIO: @unchecked Sendable {
    let handle: axclrtEngineIO
}
