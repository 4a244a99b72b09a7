import Foundation
import Hummingbird
import OllamaAPI

/// Reading request bodies and writing answers in the shapes Ollama clients expect.
enum WireMessages {
    static let jsonContentType = "application/json; charset=utf-8"
    static let ndjsonContentType = "application/x-ndjson"

    /// Collects and decodes a JSON body. Zero bytes is Ollama's `missing request body`; the
    /// mutating collect keeps the inbound stream usable for cancellation on disconnect.
    static func decode<Value: Decodable>(_ type: Value.Type, from request: inout Request, limit: Int) async throws -> Value {
        try await decodeKeepingBody(type, from: &request, limit: limit).value
    }

    /// As `decode`, also returning the body's bytes, for fields whose key order matters (a JSON
    /// schema's `properties`), which the decoded value does not keep.
    static func decodeKeepingBody<Value: Decodable>(_ type: Value.Type, from request: inout Request, limit: Int) async throws -> (value: Value, body: Data) {
        let buffer = try await request.collectBody(upTo: limit)
        guard buffer.readableBytes > 0 else { throw APIError.missingBody }
        let data = Data(buffer.readableBytesView)
        return (try WireCoding.decode(type, from: data), data)
    }

    static func json<Value: Encodable>(_ value: Value, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: jsonContentType], body: ResponseBody(byteBuffer: ByteBuffer(bytes: WireCoding.encode(value))))
    }

    /// `response` marked `Connection: close`. An answer produced inside
    /// `consumeWithCancellationOnInboundClose` (to stop generating when the client goes away)
    /// ends its connection once written (Hummingbird `RequestBody+inboundClose`); saying so lets a
    /// keep-alive client open a new connection for its next request instead of sending it into
    /// a connection that is closing.
    static func closingConnection(_ response: Response) -> Response {
        var response = response
        response.headers[.connection] = "close"
        return response
    }

    static func text(_ text: String, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "text/plain; charset=utf-8"], body: ResponseBody(byteBuffer: ByteBuffer(string: text)))
    }

    /// `200` with an empty body, as copy and delete answer.
    static func emptyOK() -> Response { Response(status: .ok, headers: [.contentLength: "0"]) }

    static func nativeError(_ error: APIError) -> Response { json(ErrorResponse(error: error.message), status: error.status) }

    static func openAIError(_ error: APIError) -> Response {
        json(OpenAIErrorResponse(status: Int(error.status.code), message: error.message), status: error.status)
    }

    static func line<Value: Encodable>(_ value: Value) -> ByteBuffer { ByteBuffer(bytes: WireCoding.line(value)) }

    /// One server-sent event: `data: <json>` and a blank line.
    static func event<Value: Encodable>(_ value: Value) -> ByteBuffer {
        var data = Data("data: ".utf8)
        data.append(WireCoding.encode(value))
        data.append(contentsOf: [0x0A, 0x0A])
        return ByteBuffer(bytes: data)
    }

    static let doneEvent = ByteBuffer(string: "data: [DONE]\n\n")

    /// A streamed answer: every buffer `frames` yields is written and flushed as it comes; the
    /// producer is cancelled as soon as the client closes its side of the connection.
    static func stream(contentType: String, inbound: RequestBody, frames: AsyncThrowingStream<ByteBuffer, any Error>) -> Response {
        Response(status: .ok, headers: [.contentType: contentType, .cacheControl: "no-cache", .connection: "close"], body: ResponseBody { writer in
            do {
                try await inbound.consumeWithCancellationOnInboundClose { _ in
                    for try await frame in frames { try await writer.write(frame) }
                }
            } catch is CancellationError {
                return
            }
            try await writer.finish(nil)
        })
    }
}
