import AXCL
import NPUEngine
import Testing

/// What the engine concludes from a layer model's declared data types (axera.md §1.7, §3.4),
/// checked on IO tables written out by hand: those of a vendor package and ones no simulated
/// model declares.
struct LayerDataTypeTests {
    static let hidden = 8, kv = 4, capacity = 16

    /// A decode group as the vendor compiles it, with the data types given per tensor name.
    static func decodeGroup(_ types: [String: EngineDataType] = [:]) -> ShapeGroup {
        func tensor(_ index: Int, _ name: String, _ dimensions: [Int], _ fallback: EngineDataType) -> EngineTensor {
            let type = types[name] ?? fallback
            let width = FloatIOType(type)?.byteWidth ?? 4
            return EngineTensor(index: index, name: name, dataType: type, dimensions: dimensions, byteCount: dimensions.reduce(1, *) * width)
        }
        return ShapeGroup(
            index: 0,
            inputs: [tensor(0, "K_cache", [1, capacity, kv], .bf16), tensor(1, "V_cache", [1, capacity, kv], .bf16),
                     tensor(2, "indices", [1, 1], .uint32), tensor(3, "input", [1, 1, hidden], .bf16),
                     tensor(4, "mask", [1, 1, capacity + 1], .bf16)],
            outputs: [tensor(0, "K_cache_out", [1, 1, kv], .bf16), tensor(1, "V_cache_out", [1, 1, kv], .bf16),
                      tensor(2, "output", [1, 1, hidden], .bf16)])
    }

    @Test func aVendorLayerIsBF16Throughout() throws {
        let plan = try LayerShapePlan(groups: [Self.decodeGroup()], path: "l0.axmodel")
        #expect(plan.activationType == .bf16 && plan.maskType == .bf16 && plan.cacheType == .bf16)
        #expect(plan.cacheRowBytes == Self.kv * 2 && plan.activationRowBytes == Self.hidden * 2)
    }

    @Test func eachTensorsDeclaredTypeIsUsed() throws {
        let plan = try LayerShapePlan(groups: [Self.decodeGroup(["mask": .fp16, "K_cache": .fp32, "V_cache": .fp32, "K_cache_out": .fp32,
                                                                 "V_cache_out": .fp32])], path: "l0.axmodel")
        #expect(plan.activationType == .bf16 && plan.maskType == .fp16 && plan.cacheType == .fp32)
        #expect(plan.cacheRowBytes == Self.kv * 4)
    }

    @Test func aMaskTheEngineCannotWriteIsRefusedWithItsType() {
        #expect {
            try LayerShapePlan(groups: [Self.decodeGroup(["mask": .int8])], path: "l0.axmodel")
        } throws: { error in
            "\(error)".contains("l0.axmodel") && "\(error)".contains("its mask is int8; the engine exchanges bf16, fp16 or fp32")
        }
    }

    @Test func cacheRowsAndTheirCacheMustShareAType() {
        #expect {
            try LayerShapePlan(groups: [Self.decodeGroup(["K_cache_out": .fp16])], path: "l0.axmodel")
        } throws: { error in
            "\(error)".contains("K_cache bf16, V_cache bf16, K_cache_out fp16, V_cache_out bf16")
        }
    }

    @Test func positionsMustBeUInt32() {
        #expect {
            try LayerShapePlan(groups: [Self.decodeGroup(["indices": .int64])], path: "l0.axmodel")
        } throws: { error in
            "\(error)".contains("its indices are int64, not uint32 positions")
        }
    }
}
