import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A point in time as Ollama writes it: RFC 3339 with up to nine fractional digits (trailing
/// zeros trimmed) and `Z` or a `±hh:mm` offset, as Go's `time.Time` marshals
/// (`"2024-08-04T19:22:45.499127Z"`, `"2025-05-10T08:06:48.639712648-07:00"`).
/// `Date` is a Double and cannot hold nanoseconds, so this type keeps them separately.
public struct WireTimestamp: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Int64
    public var nanoseconds: Int32
    /// Offset from UTC used when printing; 0 prints `Z`.
    public var utcOffsetSeconds: Int

    public init(seconds: Int64, nanoseconds: Int32 = 0, utcOffsetSeconds: Int = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        self.utcOffsetSeconds = utcOffsetSeconds
    }

    /// Now in UTC, as Ollama stamps `created_at`.
    public static func now() -> WireTimestamp {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return WireTimestamp(seconds: Int64(spec.tv_sec), nanoseconds: Int32(spec.tv_nsec))
    }

    /// The same instant shown in the machine's time zone, as Ollama shows `modified_at` and `expires_at`.
    public var local: WireTimestamp {
        var copy = self
        copy.utcOffsetSeconds = TimeZone.current.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds)))
        return copy
    }

    public func adding(nanoseconds delta: Int64) -> WireTimestamp {
        let (total, overflow) = (Int64(nanoseconds)).addingReportingOverflow(delta % 1_000_000_000)
        precondition(!overflow)
        var secs = seconds.addingReportingOverflow(delta / 1_000_000_000).partialValue
        var nanos = total
        if nanos >= 1_000_000_000 { nanos -= 1_000_000_000; secs += 1 }
        if nanos < 0 { nanos += 1_000_000_000; secs -= 1 }
        return WireTimestamp(seconds: secs, nanoseconds: Int32(nanos), utcOffsetSeconds: utcOffsetSeconds)
    }

    public static func < (lhs: WireTimestamp, rhs: WireTimestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    public var date: Date { Date(timeIntervalSince1970: TimeInterval(seconds) + TimeInterval(nanoseconds) / 1e9) }

    public var description: String {
        let shifted = seconds + Int64(utcOffsetSeconds)
        let days = shifted >= 0 ? shifted / 86_400 : (shifted - 86_399) / 86_400
        let secondOfDay = shifted - days * 86_400
        let (year, month, day) = Self.civilDate(daysSinceEpoch: days)
        var text = Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
        text += "T" + Self.pad(secondOfDay / 3600, 2) + ":" + Self.pad(secondOfDay / 60 % 60, 2) + ":" + Self.pad(secondOfDay % 60, 2)
        if nanoseconds > 0 {
            var fraction = Self.pad(Int64(nanoseconds), 9)
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        if utcOffsetSeconds == 0 { return text + "Z" }
        let offset = abs(utcOffsetSeconds)
        return text + (utcOffsetSeconds < 0 ? "-" : "+") + Self.pad(Int64(offset / 3600), 2) + ":" + Self.pad(Int64(offset / 60 % 60), 2)
    }

    /// Parses the forms `description` writes (and any RFC 3339 time with an offset).
    public init?(rfc3339 text: String) {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int64? {
            guard range.upperBound <= bytes.count else { return nil }
            var value: Int64 = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return nil }
                value = value * 10 + Int64(byte - 48)
            }
            return value
        }
        guard bytes.count >= 20, let year = number(0 ..< 4), let month = number(5 ..< 7), let day = number(8 ..< 10),
              let hour = number(11 ..< 13), let minute = number(14 ..< 16), let second = number(17 ..< 19)
        else { return nil }
        var index = 19
        var nanos: Int64 = 0
        if bytes[index] == UInt8(ascii: ".") {
            index += 1
            var digits = 0
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int64(bytes[index] - 48); digits += 1 }
                index += 1
            }
            while digits < 9 { nanos *= 10; digits += 1 }
        }
        guard index < bytes.count else { return nil }
        var offset = 0
        if bytes[index] != UInt8(ascii: "Z") && bytes[index] != UInt8(ascii: "z") {
            guard let hours = number(index + 1 ..< index + 3), let minutes = number(index + 4 ..< index + 6) else { return nil }
            offset = Int(hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        }
        let days = Self.daysSinceEpoch(year: year, month: month, day: day)
        self.init(seconds: days * 86_400 + hour * 3600 + minute * 60 + second - Int64(offset), nanoseconds: Int32(nanos), utcOffsetSeconds: offset)
    }

    private static func pad(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }

    // Howard Hinnant's days-from-civil algorithms (proleptic Gregorian calendar).
    private static func civilDate(daysSinceEpoch: Int64) -> (Int64, Int64, Int64) {
        let z = daysSinceEpoch + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    private static func daysSinceEpoch(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension WireTimestamp: Codable {
    public init(from decoder: any Decoder) throws {
        let text = try decoder.singleValueContainer().decode(String.self)
        guard let value = WireTimestamp(rfc3339: text) else {
            throw WireDecodingError.invalidValue("parsing time \"\(text)\" as RFC 3339: cannot parse")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var single = encoder.singleValueContainer()
        try single.encode(description)
    }
}
