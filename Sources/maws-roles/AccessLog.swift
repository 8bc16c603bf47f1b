import Glibc
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `text` as a JSON string: quotes, backslashes and control characters escaped (a path is the
/// caller's choice, and must not break the line or forge another).
func jsonString(_ text: String) -> String {
    // The usual path needs no escape at all.
    if text.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") }) {
        return "\"" + text + "\""
    }
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}

/// The access log: one JSON line per request on stderr (time, method, path, status,
/// milliseconds; never the query, a header or the body, which may hold tokens). Lines gather in
/// memory and a thread of their own writes them every 50 ms: a write per request cost the API
/// more than answering it, and an event loop must never wait on a slow log pipe. Lines keep their
/// order, each whole; past `maximumPending` (a log reader stalled) lines are dropped and counted,
/// and the count is logged. `flush()` writes what is left (at shutdown).
final class BatchedLines: Sendable {
    static let maximumPending = 8 << 20
    private let pending = Locked((text: "", dropped: 0))
    /// Held while writing, so that the flusher and `flush()` never interleave their writes.
    private let writing = Locked(())
    private let clock = Locked((second: 0, text: ""))

    init() {
        _ = Threads.startDetached { [self] in
            while true {
                usleep(50_000)
                flush()
            }
        }
    }

    /// One request's line, appended straight to the batch.
    func request(method: String, path: String, status: Int, milliseconds: Double) {
        let date = Date()
        let second = Int(date.timeIntervalSince1970)
        let time = clock.withLock { clock in
            if clock.second != second { clock = (second, ISO8601.format(date)) }
            return clock.text
        }
        pending.withLock { pending in
            guard pending.text.utf8.count < Self.maximumPending else {
                pending.dropped += 1
                return
            }
            pending.text += #"{"time":""#
            pending.text += time
            pending.text += #"","method":""#
            pending.text += method
            pending.text += #"","path":"#
            pending.text += jsonString(path)
            pending.text += #","status":"#
            pending.text += String(status)
            pending.text += #","ms":"#
            pending.text += String((milliseconds * 10).rounded() / 10)
            pending.text += "}\n"
        }
    }

    /// Writes what has gathered (off the lock the request threads take).
    func flush() {
        writing.withLock { _ in
            let (text, dropped) = pending.withLock { pending in
                defer { pending = ("", 0) }
                return (pending.text, pending.dropped)
            }
            if !text.isEmpty { Diagnostics.writeStandardError(text) }
            if dropped > 0 { Diagnostics.writeLine("maws-roles: the log could not keep up; \(dropped) access log lines dropped") }
        }
    }
}
