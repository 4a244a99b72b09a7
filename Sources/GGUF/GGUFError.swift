/// Why a file could not be read as GGUF. Every case names what was wrong and where, so that a
/// person can tell a truncated download from a file of another format.
public enum GGUFError: Error, Equatable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notGGUF(path: String)
    case unsupportedVersion(UInt32)
    case truncated(what: String, offset: Int)
    case implausibleCount(what: String, count: UInt64)
    case unknownValueType(key: String, code: UInt32)
    case nestingTooDeep(key: String)
    case unknownTensorType(tensor: String, code: UInt32)
    case invalidTensorShape(tensor: String, reason: String)
    case tensorOutOfBounds(tensor: String)
    case duplicateTensor(String)
    case invalidAlignment(UInt64)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            return "cannot open model file \(path): \(reason)"
        case let .notGGUF(path):
            return "\(path) is not a GGUF file (the magic bytes are not 'GGUF')"
        case let .unsupportedVersion(version):
            return "GGUF version \(version) is not supported (versions 2 and 3 are)"
        case let .truncated(what, offset):
            return "GGUF file is truncated or corrupt: \(what) at byte \(offset) runs past the end of the file"
        case let .implausibleCount(what, count):
            return "GGUF file is corrupt: \(what) of \(count) cannot fit in the file"
        case let .unknownValueType(key, code):
            return "GGUF metadata key '\(key)' has unknown value type \(code)"
        case let .nestingTooDeep(key):
            return "GGUF metadata key '\(key)' nests arrays too deeply"
        case let .unknownTensorType(tensor, code):
            return "tensor '\(tensor)' has unknown ggml type \(code)"
        case let .invalidTensorShape(tensor, reason):
            return "tensor '\(tensor)' has an invalid shape: \(reason)"
        case let .tensorOutOfBounds(tensor):
            return "tensor '\(tensor)' lies outside the file's data section (truncated download?)"
        case let .duplicateTensor(name):
            return "tensor '\(name)' appears twice in the file"
        case let .invalidAlignment(value):
            return "general.alignment \(value) is not a power of two"
        }
    }
}
