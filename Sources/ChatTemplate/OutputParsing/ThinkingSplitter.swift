/// Splits streamed model output into thinking and content at the model's thinking markers.
///
/// Handles output that opens with the marker (`<think>…</think>answer`) and output whose
/// prompt already opened it (the template ended with `<think>`), where text is thinking until
/// the closing marker. Whitespace right after either marker is dropped, as Ollama does.
public struct ThinkingSplitter: Sendable {
    public struct Output: Equatable, Sendable {
        public var thinking = ""
        public var content = ""
        public init(thinking: String = "", content: String = "") {
            self.thinking = thinking
            self.content = content
        }
    }

    enum State { case lookingForOpening, skippingSpaceAfterOpening, thinking, skippingSpaceAfterClosing, content }

    private let openTag: [Unicode.Scalar]
    private let closeTag: [Unicode.Scalar]
    private var state: State
    private var buffer: [Unicode.Scalar] = []
    public let openingMarker: String
    public let closingMarker: String
    /// The prompt opened the thinking: the output is thought until the closing marker.
    public let startsInsideThinking: Bool

    public init(openTag: String = "<think>", closeTag: String = "</think>", startsInsideThinking: Bool = false) {
        self.openTag = Array(openTag.unicodeScalars)
        self.closeTag = Array(closeTag.unicodeScalars)
        openingMarker = openTag
        closingMarker = closeTag
        self.startsInsideThinking = startsInsideThinking
        self.state = startsInsideThinking ? .skippingSpaceAfterOpening : .lookingForOpening
    }

    public mutating func feed(_ text: String) -> Output {
        buffer.append(contentsOf: text.unicodeScalars)
        var out = Output()
        while step(&out) {}
        return out
    }

    /// Releases what was held back (an unfinished marker is text after all).
    public mutating func finish() -> Output {
        var out = Output()
        let rest = MarkerSearch.string(buffer[...])
        buffer.removeAll()
        switch state {
        case .lookingForOpening, .content, .skippingSpaceAfterClosing: out.content = rest
        case .thinking, .skippingSpaceAfterOpening: out.thinking = rest
        }
        return out
    }

    /// One state transition; false when more input is needed.
    private mutating func step(_ out: inout Output) -> Bool {
        switch state {
        case .lookingForOpening:
            let start = buffer.firstIndex { !MarkerSearch.isSpace($0) } ?? buffer.count
            let rest = buffer[start...]
            if rest.starts(with: openTag) {
                buffer.removeFirst(start + openTag.count)
                state = .skippingSpaceAfterOpening
                return true
            }
            if rest.isEmpty || openTag.starts(with: rest) { return false }
            state = .content
            return true
        case .skippingSpaceAfterOpening, .skippingSpaceAfterClosing:
            let start = buffer.firstIndex { !MarkerSearch.isSpace($0) } ?? buffer.count
            buffer.removeFirst(start)
            if buffer.isEmpty { return false }
            state = state == .skippingSpaceAfterOpening ? .thinking : .content
            return true
        case .thinking:
            if let end = MarkerSearch.find(closeTag, in: buffer) {
                // Whitespace before the closing marker is not part of the thought.
                var last = end
                while last > 0, MarkerSearch.isSpace(buffer[last - 1]) { last -= 1 }
                out.thinking += MarkerSearch.string(buffer[..<last])
                buffer.removeFirst(end + closeTag.count)
                state = .skippingSpaceAfterClosing
                return true
            }
            // Hold back a partial marker, and trailing whitespace that may precede the marker.
            var keep = buffer.count - MarkerSearch.partialSuffix(of: buffer, marker: closeTag)
            while keep > 0, MarkerSearch.isSpace(buffer[keep - 1]) { keep -= 1 }
            out.thinking += MarkerSearch.string(buffer[..<keep])
            buffer.removeFirst(keep)
            return false
        case .content:
            out.content += MarkerSearch.string(buffer[...])
            buffer.removeAll()
            return false
        }
    }
}
