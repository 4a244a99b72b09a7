import Foundation

/// The time `strftime_now` reports. Injectable so that tests render dates deterministically.
public struct TemplateClock: Sendable {
    public var now: @Sendable () -> Date
    public var timeZone: TimeZone
    public init(now: @escaping @Sendable () -> Date = { Date() }, timeZone: TimeZone = .current) {
        self.now = now
        self.timeZone = timeZone
    }
    public static let system = TemplateClock()
}

extension Interpreter {
    /// jinja2's default globals that chat templates use, plus the ones transformers adds.
    func installGlobals(in scope: Scope) {
        scope.set("range", .function(Function("range") { [unowned self] args throws in
            try self.range(args)
        }))
        scope.set("namespace", .function(Function("namespace") { args throws in
            var attributes = OrderedDictionary<String, Value>()
            for v in args.positional {
                guard case .dict(let d) = v else { throw EvaluationError.runtime("namespace() positional argument must be a mapping") }
                for (k, v) in d.pairs { attributes[k] = v }
            }
            for (k, v) in args.keyword { attributes[k] = v }
            return .namespace(Namespace(attributes))
        }))
        scope.set("dict", .function(Function("dict") { args throws in
            var d = OrderedDictionary<String, Value>()
            for v in args.positional {
                guard case .dict(let other) = v else { throw EvaluationError.runtime("dict() positional argument must be a mapping") }
                for (k, v) in other.pairs { d[k] = v }
            }
            for (k, v) in args.keyword { d[k] = v }
            return .dict(d)
        }))
        // transformers: raise_exception(message) raises jinja2's TemplateError.
        scope.set("raise_exception", .function(Function("raise_exception") { args throws in
            throw EvaluationError.raised(args.positional.first?.pythonString ?? "")
        }))
        // transformers: strftime_now(format) = datetime.now().strftime(format).
        let clock = self.clock
        scope.set("strftime_now", .function(Function("strftime_now") { args throws in
            guard case .string(let format)? = args.positional.first else { throw EvaluationError.runtime("strftime_now() needs a format string") }
            return .string(Strftime.format(format, date: clock.now(), timeZone: clock.timeZone))
        }))
    }

    /// jinja2's sandbox refuses ranges longer than 100000 items (MAX_RANGE in jinja2/sandbox.py).
    private func range(_ args: Arguments) throws(EvaluationError) -> Value {
        let numbers = try args.positional.map { (v: Value) throws(EvaluationError) -> Int in
            guard let i = v.asInt else { throw .runtime("'\(v.typeName)' object cannot be interpreted as an integer") }
            return i
        }
        let (start, stop, step): (Int, Int, Int)
        switch numbers.count {
        case 1: (start, stop, step) = (0, numbers[0], 1)
        case 2: (start, stop, step) = (numbers[0], numbers[1], 1)
        case 3: (start, stop, step) = (numbers[0], numbers[1], numbers[2])
        default: throw .runtime("range expected 1 to 3 arguments, got \(numbers.count)")
        }
        guard step != 0 else { throw .runtime("range() arg 3 must not be zero") }
        let count = step > 0 ? (stop > start ? (stop - start + step - 1) / step : 0) : (start > stop ? (start - stop - step - 1) / -step : 0)
        let maxRange = 100_000
        if count > maxRange {
            throw .limit("range too big: the sandbox blocks ranges larger than \(maxRange) items")
        }
        return .list((0..<count).map { .int(start + $0 * step) })
    }
}

/// Python's `strftime` for the directives chat templates use.
enum Strftime {
    static func format(_ format: String, date: Date, timeZone: TimeZone) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = timeZone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: date)
        let dayOfYear = calendar.ordinality(of: .day, in: .year, for: date) ?? 1
        let months = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"]
        let days = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"]
        var out = ""
        var chars = format.makeIterator()
        while let ch = chars.next() {
            guard ch == "%" else { out.append(ch); continue }
            guard var d = chars.next() else { out.append("%"); break }
            var pad = true
            if d == "-", let next = chars.next() { pad = false; d = next }
            func num(_ v: Int, _ width: Int) -> String {
                let s = String(v)
                return pad ? String(repeating: "0", count: max(0, width - s.count)) + s : s
            }
            let hour12 = (c.hour! + 11) % 12 + 1
            switch d {
            case "Y": out += String(c.year!)
            case "y": out += num(c.year! % 100, 2)
            case "m": out += num(c.month!, 2)
            case "d": out += num(c.day!, 2)
            case "e": out += pad ? (c.day! < 10 ? " " : "") + String(c.day!) : String(c.day!)
            case "H": out += num(c.hour!, 2)
            case "I": out += num(hour12, 2)
            case "M": out += num(c.minute!, 2)
            case "S": out += num(c.second!, 2)
            case "p": out += c.hour! < 12 ? "AM" : "PM"
            case "j": out += num(dayOfYear, 3)
            case "b", "h": out += String(months[c.month! - 1].prefix(3))
            case "B": out += months[c.month! - 1]
            case "a": out += String(days[c.weekday! - 1].prefix(3))
            case "A": out += days[c.weekday! - 1]
            case "w": out += String(c.weekday! - 1)
            case "%": out += "%"
            default: out += "%" + String(d)
            }
        }
        return out
    }
}
