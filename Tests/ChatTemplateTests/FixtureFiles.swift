import Foundation
@testable import ChatTemplate

/// Locations of test data: our own fixtures, and the shared real-world templates when present.
enum FixtureFiles {
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static let fixtures = packageRoot.appendingPathComponent("Tests/ChatTemplateTests/Fixtures")

    /// `../shared/fixtures/chat-templates` beside the repository (or beside a worktree's parent).
    static let sharedTemplates: URL? = {
        for up in ["..", "../.."] {
            let candidate = packageRoot.appendingPathComponent(up).appendingPathComponent("shared/fixtures/chat-templates").standardized
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate }
        }
        return nil
    }()

    static func text(_ url: URL) -> String? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        return String(decoding: data, as: UTF8.self)
    }
}
