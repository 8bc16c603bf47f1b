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
/// milliseconds; never the query, a header or the body, which may hold tokens), gathered and
/// written together, when 32 KiB have gathered or 200 ms have
/// passed: a write per request cost the API more than answering it. Lines from every thread keep
/// their order, each whole. `flush()` writes what is left (at shutdown).
final class BatchedLines: Sendable {
    private static let batchBytes = 32 * 1024
    private let pending = Locked("")
    private let clock = Locked((second: 0, text: ""))

    init() {
        _ = Threads.startDetached { [self] in
            while true {
                usleep(200_000)
                flush()
            }
        }
    }

    /// One request's line, written straight into the batch (one lock, no line of its own).
    func request(method: String, path: String, status: Int, milliseconds: Double) {
        let date = Date()
        let second = Int(date.timeIntervalSince1970)
        let time = clock.withLock { clock in
            if clock.second != second { clock = (second, ISO8601.format(date)) }
            return clock.text
        }
        pending.withLock { pending in
            pending += #"{"time":""#
            pending += time
            pending += #"","method":""#
            pending += method
            pending += #"","path":"#
            pending += jsonString(path)
            pending += #","status":"#
            pending += String(status)
            pending += #","ms":"#
            pending += String((milliseconds * 10).rounded() / 10)
            pending += "}\n"
            if pending.utf8.count >= Self.batchBytes {
                Diagnostics.writeStandardError(pending)
                pending.removeAll(keepingCapacity: true)
            }
        }
    }

    func flush() {
        pending.withLock { pending in
            guard !pending.isEmpty else { return }
            Diagnostics.writeStandardError(pending)
            pending.removeAll(keepingCapacity: true)
        }
    }
}
