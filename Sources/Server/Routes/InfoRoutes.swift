import Hummingbird
import OllamaAPI

/// `GET|HEAD /` and `GET|HEAD /api/version`.
enum InfoRoutes {
    /// The Go CLI's heartbeat and many health checks look for exactly this text (no newline).
    static func root() -> Response { WireMessages.text("Ollama is running") }

    static func version(_ settings: ServerSettings) -> Response {
        WireMessages.json(VersionResponse(version: settings.reportedVersion))
    }
}
