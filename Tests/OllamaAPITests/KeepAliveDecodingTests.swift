import Foundation
import OllamaAPI
import Testing

@Suite struct KeepAliveDecodingTests {
    private func decode(_ json: String) throws -> GenerateRequest {
        try WireCoding.decode(GenerateRequest.self, from: Data(json.utf8))
    }

    @Test func numbersAreSeconds() throws {
        #expect(try decode(#"{"keep_alive":42}"#).keepAlive == .duration(nanoseconds: 42_000_000_000))
        #expect(try decode(#"{"keep_alive":42.5}"#).keepAlive == .duration(nanoseconds: 42_500_000_000))
    }

    @Test func stringsAreGoDurations() throws {
        #expect(try decode(#"{"keep_alive":"1h30m"}"#).keepAlive == .duration(nanoseconds: 5_400_000_000_000))
        #expect(try decode(#"{"keep_alive":"10s"}"#).keepAlive == .duration(nanoseconds: 10_000_000_000))
        #expect(try decode(#"{"keep_alive":"0"}"#).keepAlive == .unloadImmediately)
        #expect(try decode(#"{"keep_alive":0}"#).keepAlive == .unloadImmediately)
    }

    @Test func negativeValuesMeanForever() throws {
        #expect(try decode(#"{"keep_alive":-1}"#).keepAlive == .forever)
        #expect(try decode(#"{"keep_alive":-3.14}"#).keepAlive == .forever)
        #expect(try decode(#"{"keep_alive":"-1m"}"#).keepAlive == .forever)
    }

    @Test func absentOrNullIsUnset() throws {
        #expect(try decode(#"{}"#).keepAlive == nil)
        #expect(try decode(#"{"keep_alive":null}"#).keepAlive == nil)
    }

    @Test func stringWithoutUnitIsRejectedWithGoMessage() {
        #expect(throws: WireDecodingError.invalidValue(#"time: missing unit in duration "300""#)) { try decode(#"{"keep_alive":"300"}"#) }
    }

    @Test func otherTypesAreRejected() {
        #expect(throws: WireDecodingError.invalidValue("Unsupported type: 'bool'")) { try decode(#"{"keep_alive":true}"#) }
    }

    @Test func environmentValueAcceptsBareSeconds() throws {
        #expect(try KeepAlive(environmentValue: "300") == .duration(nanoseconds: 300_000_000_000))
        #expect(try KeepAlive(environmentValue: "\"5m\"") == .duration(nanoseconds: 300_000_000_000))
        #expect(try KeepAlive(environmentValue: "-1") == .forever)
    }

    @Test func goDurationParserRejectsUnknownUnits() {
        #expect(throws: GoDurationParser.ParseError.self) { try GoDurationParser.nanoseconds("5x") }
        #expect(throws: GoDurationParser.ParseError.self) { try GoDurationParser.nanoseconds("") }
        #expect(throws: GoDurationParser.ParseError.self) { try GoDurationParser.nanoseconds("m") }
        #expect((try? GoDurationParser.nanoseconds("1.5ms")) == 1_500_000)
        #expect((try? GoDurationParser.nanoseconds("2h45m30.5s")) == 9_930_500_000_000)
    }
}
