import Foundation
import OllamaAPI
import Runtime

extension TestServer {
    /// `GET /api/version` with extra headers, for the CORS and Host checks.
    func send(headers: [(String, String)]) async throws -> (status: Int, headers: [String: String], text: String) {
        let (head, data) = try await client.send("GET", "/api/version", headers: headers)
        return (head.status, head.headers, String(decoding: data, as: UTF8.self))
    }
}

enum SHA256Check {
    static func hex(_ data: Data) -> String { SHA256Digest.hex(of: data) }
}
