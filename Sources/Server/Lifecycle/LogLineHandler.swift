import Foundation
import Logging

/// One log line per event on standard error, as plain text or a JSON object. Under systemd
/// (`JOURNAL_STREAM` set) plain lines drop the timestamp, which journald adds itself, and start
/// with the syslog priority (`<4>` for a warning) so that `journalctl -p warning` filters them.
public struct LogLineHandler: LogHandler {
    public enum Format: Sendable {
        case plain(journald: Bool)
        case json
    }

    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level
    let label: String
    let format: Format
    let write: @Sendable (String) -> Void

    public init(label: String, format: Format, level: Logger.Level,
                write: @escaping @Sendable (String) -> Void = LogLineHandler.standardError) {
        self.label = label
        self.format = format
        self.logLevel = level
        self.write = write
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let extra = event.metadata { merged.merge(extra) { _, new in new } }
        write(line(level: event.level, message: "\(event.message)", metadata: merged, date: Date()))
    }

    /// The text written for one event.
    public func line(level: Logger.Level, message: String, metadata: Logger.Metadata, date: Date) -> String {
        switch format {
        case let .plain(journald):
            let fields = metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
            let text = ([message] + fields).joined(separator: " ")
            if journald { return "<\(Self.syslogPriority(level))>\(text)\n" }
            return "\(date.ISO8601Format()) \(level.rawValue) \(label): \(text)\n"
        case .json:
            var object: [String: String] = ["time": date.ISO8601Format(), "level": level.rawValue, "label": label, "message": message]
            for (key, value) in metadata where object[key] == nil { object[key] = "\(value)" }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(object)) ?? Data("{}".utf8)
            return String(decoding: data, as: UTF8.self) + "\n"
        }
    }

    /// Values with spaces or quotes are quoted so that `key=value` pairs stay parseable.
    static func quoted(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        return "\"" + value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    /// syslog(3) priorities: 7 debug … 2 critical.
    static func syslogPriority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: return 7
        case .info: return 6
        case .notice: return 5
        case .warning: return 4
        case .error: return 3
        case .critical: return 2
        }
    }

    public static let standardError: @Sendable (String) -> Void = { line in
        FileHandle.standardError.write(Data(line.utf8))
    }
}
