import AXCL
import Testing

@Suite struct ErrorCodeTests {
    @Test(arguments: [
        (UInt32(0x8030_070C), "ENGINE_EXECUTE_FAIL", AXCLErrorKind.deviceFault),
        (0x8030_0181, "DEVICE_NO_CONNECT", .deviceLost),
        (0x8030_0284, "CONTEXT_NO_BIND_CONTEXT", .noContext),
        (0x8030_0581, "MEMORY_NOT_DEVICE_MEMORY", .badParameter),
        (0x8030_0781, "ENGINE_INVALID_INDEX", .badParameter),
        (0x8030_0507, "MEMORY_NO_MEMORY", .outOfMemory),
        (0x8030_0383, "STREAM_SYNC_TIMEOUT", .timeout),
        (0x8030_0709, "ENGINE_DECODE", .transport),
        (0x8030_0184, "DEVICE_INVALID_ID", .badParameter),
        (0x8030_0185, "DEVICE_NO_ACTIVE_DEVICE", .noContext),
        (0x8030_0703, "ENGINE_ILLEGAL_PARAM", .badParameter),
    ])
    func runtimeCodesDecodeToTheirVendorNames(raw: UInt32, name: String, kind: AXCLErrorKind) {
        let code = AXCLErrorCode(rawValue: raw)
        #expect(code.isRuntimeCode)
        #expect(code.name == name)
        #expect(code.kind == kind)
    }

    @Test func descriptionNamesTheCodeInHex() {
        let error = AXCLError(code: AXCLErrorCode(Int32(bitPattern: 0x8030_070C)), call: "axclrtEngineExecute")
        #expect(error.code.description == "ENGINE_EXECUTE_FAIL 0x8030070C")
        #expect(error.description.contains("axclrtEngineExecute"))
        #expect(error.description.contains("ENGINE_EXECUTE_FAIL 0x8030070C"))
        #expect(error.kind.marksDeviceUnhealthy)
    }

    @Test func fieldsFollowTheVendorComposition() {
        let code = AXCLErrorCode(rawValue: 0x8030_0284)
        #expect(code.module == 0)
        #expect(code.subModule == 2)
        #expect(code.id == 0x84)
        #expect(code.moduleName == "RUNTIME")
        #expect(code.subModuleName == "CONTEXT")
    }

    @Test func codesWithoutTheAXCLMarkerArePassThroughFromTheCard() {
        let code = AXCLErrorCode(rawValue: 0x8006_0018)
        #expect(!code.isRuntimeCode)
        #expect(code.name == "NATIVE_PASSTHROUGH")
        #expect(code.kind.marksDeviceUnhealthy)
    }

    @Test func usageErrorsAreNotDeviceFaults() {
        #expect(!AXCLErrorCode(rawValue: 0x8030_0703).kind.marksDeviceUnhealthy)
        #expect(!AXCLErrorCode(rawValue: 0x8030_0284).kind.marksDeviceUnhealthy)
        #expect(AXCLErrorCode(rawValue: 0).isSuccess)
    }
}
