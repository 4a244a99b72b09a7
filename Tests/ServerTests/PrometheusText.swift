import Foundation

/// A small reader of the Prometheus text exposition format (0.0.4), enough to check samples:
/// `name{label="value",…} number` lines; comments and blank lines are skipped.
struct PrometheusText {
    struct Sample: Equatable {
        let name: String
        let labels: [String: String]
        let value: Double
    }

    enum ParseError: Error { case malformed(String) }

    let samples: [Sample]

    init(_ text: String) throws {
        var samples: [Sample] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") && !line.trimmingCharacters(in: .whitespaces).isEmpty {
            samples.append(try Self.sample(String(line)))
        }
        self.samples = samples
    }

    /// The value of the one sample with this name whose labels include `labels`; nil when absent.
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double? {
        let matching = samples.filter { sample in sample.name == name && labels.allSatisfy { key, value in sample.labels[key] == value } }
        return matching.isEmpty ? nil : matching.reduce(0) { $0 + $1.value }
    }

    static func sample(_ line: String) throws -> Sample {
        var index = line.startIndex
        while index < line.endIndex, line[index] != "{", line[index] != " " { index = line.index(after: index) }
        let name = String(line[..<index])
        guard !name.isEmpty else { throw ParseError.malformed(line) }
        var labels: [String: String] = [:]
        if index < line.endIndex, line[index] == "{" {
            index = line.index(after: index)
            while index < line.endIndex, line[index] != "}" {
                guard let equals = line[index...].firstIndex(of: "=") else { throw ParseError.malformed(line) }
                let key = String(line[index ..< equals])
                var cursor = line.index(after: equals)
                guard cursor < line.endIndex, line[cursor] == "\"" else { throw ParseError.malformed(line) }
                cursor = line.index(after: cursor)
                var value = ""
                while cursor < line.endIndex, line[cursor] != "\"" {
                    if line[cursor] == "\\" {
                        cursor = line.index(after: cursor)
                        guard cursor < line.endIndex else { throw ParseError.malformed(line) }
                        value.append(line[cursor] == "n" ? "\n" : line[cursor])
                    } else {
                        value.append(line[cursor])
                    }
                    cursor = line.index(after: cursor)
                }
                guard cursor < line.endIndex else { throw ParseError.malformed(line) }
                labels[key] = value
                index = line.index(after: cursor)
                if index < line.endIndex, line[index] == "," { index = line.index(after: index) }
            }
            guard index < line.endIndex else { throw ParseError.malformed(line) }
            index = line.index(after: index)
        }
        let rest = line[index...].trimmingCharacters(in: .whitespaces).split(separator: " ")
        guard let first = rest.first else { throw ParseError.malformed(line) }
        let value: Double? = switch first {
        case "+Inf": .infinity
        case "-Inf": -.infinity
        case "NaN": .nan
        default: Double(first)
        }
        guard let value else { throw ParseError.malformed(line) }
        return Sample(name: name, labels: labels, value: value)
    }
}
