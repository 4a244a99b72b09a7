import Foundation

/// Where a stored model's weights live: a GGUF file (a blob of the store) or an NPU model
/// package directory outside the store, referenced by its absolute path and never copied.
public enum ModelWeights: Sendable, Equatable {
    case gguf(URL)
    case npuPackage(directory: URL)

    /// The file or directory.
    public var url: URL {
        switch self {
        case let .gguf(url): return url
        case let .npuPackage(directory): return directory
        }
    }

    /// The `format` of `/api/tags` details.
    public var format: String {
        switch self {
        case .gguf: return "gguf"
        case .npuPackage: return "axmodel"
        }
    }
}

/// The content of a package layer: the directory's absolute path, as JSON so the layer can grow.
struct PackageReference: Codable, Equatable {
    var directory: String
}
