import EngineInterface
import HTTPTypes
import OllamaAPI
import Runtime

/// An error answer: its status and the message that goes into `{"error": …}` (native) or
/// `{"error":{"message": …}}` (OpenAI). Messages follow Ollama's error table, because clients
/// match on them (`not found` makes the Go CLI pull, `busy` is counted by tests).
public struct APIError: Error, Equatable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var message: String

    public init(_ status: HTTPResponse.Status, _ message: String) {
        self.status = status
        self.message = message
    }

    public var description: String { "\(status.code) \(message)" }

    public static let missingBody = APIError(.badRequest, "missing request body")
    public static let modelRequired = APIError(.badRequest, "model is required")
    public static let invalidModelName = APIError(.badRequest, "invalid model name")

    /// `model 'x' not found` with the name as the client sent it (generate, chat, delete).
    public static func modelNotFound(_ name: String) -> APIError { APIError(.notFound, "model '\(name)' not found") }
    /// The wording of the embedding endpoints (ollama `handleScheduleError`).
    public static func modelNotFoundTryPulling(_ name: String) -> APIError {
        APIError(.notFound, "model \"\(name)\" not found, try pulling it first")
    }

    public static let promptTooLong = APIError(.badRequest,
        "the prompt is longer than the context length currently available to the model; shorten the prompt, adjust the context length in settings, or use a model with a longer context length")

    /// Maps errors from lower layers to their HTTP meaning.
    public static func from(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError: return error
        case let error as WireDecodingError: return APIError(.badRequest, error.description)
        case let error as SchedulerError:
            return APIError(error == .serverBusy ? .serviceUnavailable : .serviceUnavailable, error.description)
        case let error as ModelStoreError:
            if case let .notFound(name) = error { return .modelNotFound(name) }
            return APIError(.internalServerError, error.description)
        case let error as EngineUnavailableError: return APIError(.serviceUnavailable, error.reason)
        case is CancellationError: return APIError(HTTPResponse.Status(code: 499, reasonPhrase: "Client Closed Request"), "request canceled")
        default: return APIError(.internalServerError, "\(error)")
        }
    }
}
