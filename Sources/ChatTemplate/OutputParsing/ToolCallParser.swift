/// Parses tool calls out of streamed model output.
///
/// Text is released as content as soon as it can no longer be the start of a tool call; a tool
/// call is released once it is complete. Text that looked like a tool call but does not parse
/// as one is released as content.
public struct ToolCallParser: Sendable {
    public let format: ToolCallFormat

    enum State {
        case content           // ordinary text, watching for the call marker
        case insideTag         // tagged: after the opening tag
        case replyStart        // llama3: nothing but whitespace seen yet
        case jsonCall          // llama3: inside a JSON object
        case betweenCalls      // llama3: after a call, `;` or whitespace may lead to another
        case afterMarker       // mistral: after [TOOL_CALLS]
        case passthrough       // everything else is content
    }

    private var state: State
    private var buffer: [Unicode.Scalar] = []
    private static let pythonTag = Array("<|python_tag|>".unicodeScalars)
    private static let mistralMarker = Array("[TOOL_CALLS]".unicodeScalars)
    private static let mistralArgs = Array("[ARGS]".unicodeScalars)
    private static let mistralCallID = Array("[CALL_ID]".unicodeScalars)

    public init(format: ToolCallFormat) {
        self.format = format
        self.state = format == .llama3JSON ? .replyStart : .content
    }

    public mutating func feed(_ text: String) -> [ParsedOutput] {
        buffer.append(contentsOf: text.unicodeScalars)
        var out: [ParsedOutput] = []
        while step(&out, final: false) {}
        return Self.merged(out)
    }

    /// End of output: complete what can be completed, release the rest as content.
    public mutating func finish() -> [ParsedOutput] {
        var out: [ParsedOutput] = []
        while step(&out, final: true) {}
        if !buffer.isEmpty { out.append(.content(MarkerSearch.string(buffer[...]))) }
        buffer.removeAll()
        return Self.merged(out)
    }

    private static func merged(_ items: [ParsedOutput]) -> [ParsedOutput] {
        var out: [ParsedOutput] = []
        for item in items {
            if case .content(let t) = item {
                if t.isEmpty { continue }
                if case .content(let previous)? = out.last { out[out.count - 1] = .content(previous + t); continue }
            }
            out.append(item)
        }
        return out
    }

    private mutating func emitContent(_ count: Int, _ out: inout [ParsedOutput]) {
        out.append(.content(MarkerSearch.string(buffer[..<count])))
        buffer.removeFirst(count)
    }

    /// Releases content up to `marker`, or up to a partial marker at the end. True if found.
    private mutating func advanceToMarker(_ marker: [Unicode.Scalar], _ out: inout [ParsedOutput], final: Bool) -> Bool {
        if let start = MarkerSearch.find(marker, in: buffer) {
            emitContent(start, &out)
            buffer.removeFirst(marker.count)
            return true
        }
        let hold = final ? 0 : MarkerSearch.partialSuffix(of: buffer, marker: marker)
        emitContent(buffer.count - hold, &out)
        return false
    }

    private var firstNonSpace: Int { buffer.firstIndex { !MarkerSearch.isSpace($0) } ?? buffer.count }

    private mutating func step(_ out: inout [ParsedOutput], final: Bool) -> Bool {
        switch (state, format) {
        case (.passthrough, _):
            emitContent(buffer.count, &out)
            return false

        case (.content, .tagged(let open, _)):
            if advanceToMarker(Array(open.unicodeScalars), &out, final: final) { state = .insideTag; return true }
            return false
        case (.insideTag, .tagged(let open, let close)):
            let closeTag = Array(close.unicodeScalars)
            // A string inside the call may contain the closing tag: when the call is a JSON object,
            // the tag that counts is the first one after the object ends.
            let start = firstNonSpace
            var searchFrom = 0
            if start < buffer.count, buffer[start] == "{" {
                guard let objectEnd = MarkerSearch.endOfJSON(in: buffer, from: start) else {
                    if !final { return false }
                    out.append(.content(open + MarkerSearch.string(buffer[...])))
                    buffer.removeAll()
                    state = .content
                    return false
                }
                searchFrom = objectEnd
            }
            let end = MarkerSearch.find(closeTag, in: buffer, from: searchFrom)
            guard end != nil || final else { return false }
            let inner = MarkerSearch.string(buffer[..<(end ?? buffer.count)])
            if let value = try? JSON.parse(inner.trimmingSpaces), let call = ToolCall(object: value) {
                out.append(.toolCall(call))
            } else {
                out.append(.content(open + inner + (end == nil ? "" : close)))
            }
            buffer.removeFirst(end.map { $0 + closeTag.count } ?? buffer.count)
            state = .content
            return !buffer.isEmpty

        case (.replyStart, _), (.betweenCalls, _):
            let start = firstNonSpace
            let rest = buffer[start...]
            if rest.isEmpty { return false }
            if state == .betweenCalls, rest.first == ";" {
                buffer.removeFirst(start + 1)
                return true
            }
            if rest.starts(with: Self.pythonTag) {
                buffer.removeFirst(start + Self.pythonTag.count)
                return true
            }
            if rest.first == "{" {
                if state == .betweenCalls { buffer.removeFirst(start) }
                state = .jsonCall
                return true
            }
            if !final, Self.pythonTag.starts(with: rest) { return false }
            state = .passthrough
            return true
        case (.jsonCall, _):
            let start = firstNonSpace
            guard let end = MarkerSearch.endOfJSON(in: buffer, from: start) else {
                if final { state = .passthrough; return true }
                return false
            }
            if let value = try? JSON.parse(MarkerSearch.string(buffer[start..<end])), let call = ToolCall(object: value) {
                out.append(.toolCall(call))
                buffer.removeFirst(end)
                state = .betweenCalls
            } else {
                state = .passthrough
            }
            return true

        case (.content, .mistral):
            if advanceToMarker(Self.mistralMarker, &out, final: final) { state = .afterMarker; return true }
            return false
        case (.afterMarker, .mistral):
            let start = firstNonSpace
            guard start < buffer.count else {
                if final { out.append(.content(MarkerSearch.string(Self.mistralMarker[...]))); buffer.removeAll() }
                return false
            }
            if buffer[start] == "[" || buffer[start] == "{" {
                guard let end = MarkerSearch.endOfJSON(in: buffer, from: start) else {
                    if final { restoreMarker() }
                    return final
                }
                let calls: [ToolCall]?
                switch try? JSON.parse(MarkerSearch.string(buffer[start..<end])) {
                case .list(let items)?:
                    let parsed = items.compactMap { ToolCall(object: $0) }
                    calls = parsed.count == items.count ? parsed : nil
                case let object?: calls = ToolCall(object: object).map { [$0] }
                case nil: calls = nil
                }
                guard let calls else { restoreMarker(); state = .passthrough; return true }
                out.append(contentsOf: calls.map { .toolCall($0) })
                buffer.removeFirst(end)
                state = .content
                return true
            }
            // Newer syntax: name[ARGS]{json}, optionally name[CALL_ID]id[ARGS]{json}.
            guard let argsAt = MarkerSearch.find(Self.mistralArgs, in: buffer, from: start) else {
                if final { restoreMarker(); state = .passthrough; return true }
                return false
            }
            let jsonStart = argsAt + Self.mistralArgs.count
            guard let end = MarkerSearch.endOfJSON(in: buffer, from: jsonStart) else {
                if final { restoreMarker(); state = .passthrough; return true }
                return false
            }
            var nameEnd = argsAt
            if let idAt = MarkerSearch.find(Self.mistralCallID, in: buffer, from: start), idAt < argsAt { nameEnd = idAt }
            let name = MarkerSearch.string(buffer[start..<nameEnd]).trimmingSpaces
            guard !name.isEmpty, let value = try? JSON.parse(MarkerSearch.string(buffer[jsonStart..<end])),
                  let arguments = ToolCall.arguments(value) else {
                restoreMarker(); state = .passthrough; return true
            }
            out.append(.toolCall(ToolCall(name: name, arguments: arguments)))
            buffer.removeFirst(end)
            state = .content
            return true

        default:
            state = .passthrough
            return true
        }
    }

    /// The marker was consumed but what follows is not a tool call: it is content after all.
    private mutating func restoreMarker() {
        buffer.insert(contentsOf: Self.mistralMarker, at: 0)
    }
}

extension String {
    var trimmingSpaces: String { PythonString.strip(self, chars: nil, leading: true, trailing: true) }
}
