import Glibc

/// Lines typed or pasted on the terminal (`/dev/tty`) during a headless sign-in: a person signs
/// in with a browser on another machine and pastes the address it ended on
/// (`http://localhost:PORT/redirect_uri?code=...&state=...`), which never reached this machine.
package final class PastedRedirectInput: LoopbackHTTPServer.LineSource {
    private let terminal: Terminal
    package var descriptor: Int32 { terminal.descriptor }
    private var buffer: [UInt8] = []
    package private(set) var closed = false

    /// nil when there is no terminal.
    package init?() {
        guard let terminal = Terminal(nonBlocking: true) else { return nil }
        self.terminal = terminal
    }

    /// Complete lines read so far.
    package func readLines() -> [String] {
        var chunk = [UInt8](repeating: 0, count: 4096)
        let count = Errno.retrying { read(descriptor, &chunk, chunk.count) }
        if count == 0 { closed = true }
        guard count > 0 else { return [] }
        buffer += chunk[0..<count]
        var lines: [String] = []
        while let newline = buffer.firstIndex(where: { $0 == 10 || $0 == 13 }) {
            lines.append(String(decoding: buffer[..<newline], as: UTF8.self))
            buffer.removeSubrange(...newline)
        }
        return lines
    }

    func say(_ text: String) {
        terminal.write(text)
    }

    /// The request target (`/redirect_uri?...`) of a pasted URL, or nil if the line is not a URL.
    static func requestTarget(of line: String) -> String? {
        let trimmed = line.trimmingLineWhitespace()
        guard let scheme = trimmed.firstRange(of: "://") else { return trimmed.hasPrefix("/") ? String(trimmed) : nil }
        let afterHost = trimmed[scheme.upperBound...]
        guard let slash = afterHost.firstIndex(of: "/") else { return nil }
        return String(afterHost[slash...])
    }
}
