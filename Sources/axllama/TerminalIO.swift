import Glibc

/// Unbuffered terminal output: tokens must appear as they are generated, also through a pipe.
enum TerminalOutput {
    static func write(_ text: String) { write(text, to: STDOUT_FILENO) }

    static func writeError(_ text: String) { write(text, to: STDERR_FILENO) }

    /// Straight to the file descriptor: nothing is held in a stdio buffer.
    private static func write(_ text: String, to descriptor: Int32) {
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { Glibc.write(descriptor, $0.baseAddress! + offset, $0.count - offset) }
            if written <= 0 { return }
            offset += written
        }
    }
}

/// Reads one message at the `>>>` prompt; `"""` starts and ends a multi-line message.
enum InteractiveInput {
    static func readMessage() -> String? {
        TerminalOutput.write(">>> ")
        guard let first = readLine() else { return nil }
        guard first.hasPrefix("\"\"\"") else { return first }
        var lines = [String(first.dropFirst(3))]
        while true {
            TerminalOutput.write("... ")
            guard let line = readLine() else { break }
            if line.hasSuffix("\"\"\"") {
                lines.append(String(line.dropLast(3)))
                break
            }
            lines.append(line)
        }
        return lines.filter { !$0.isEmpty }.joined(separator: "\n")
    }
}
