import Glibc

/// Whole reads and writes on a file descriptor, each system call made again when a signal
/// interrupts it (`Errno.retrying`).
package enum FileDescriptor {
    /// Writes all of `bytes`; false when a write fails (`errno` says why) or writes nothing.
    @discardableResult
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            transfer(buffer.count) { Glibc.write(descriptor, buffer.baseAddress! + $0, buffer.count - $0) }
        }
    }

    /// Exactly `count` bytes; nil when the file ends before them or a read fails.
    package static func read(_ descriptor: Int32, count: Int) -> [UInt8]? {
        var bytes = [UInt8](repeating: 0, count: count)
        let complete = bytes.withUnsafeMutableBytes { buffer in
            transfer(buffer.count) { Glibc.read(descriptor, buffer.baseAddress! + $0, buffer.count - $0) }
        }
        return complete ? bytes : nil
    }

    /// Reads up to the end of the file: what was read and, when a read failed, its error number
    /// (the bytes are then those read before it). `chunkSize` is how much one read asks for; a
    /// regular file's size (plus one, to see the end in the same read) saves zeroing 64 KiB.
    package static func readToEnd(_ descriptor: Int32, chunkSize: Int = 65536) -> (bytes: [UInt8], error: Int32?) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: max(chunkSize, 1))
        while true {
            let count = Errno.retrying { Glibc.read(descriptor, &chunk, chunk.count) }
            if count < 0 { return (bytes, errno) }
            if count == 0 { return (bytes, nil) }
            bytes += chunk[0..<count]
        }
    }

    /// Calls `step` with the bytes done so far until `count` are done; false when a call fails or
    /// does nothing.
    private static func transfer(_ count: Int, _ step: (_ done: Int) -> Int) -> Bool {
        var done = 0
        while done < count {
            let moved = Errno.retrying { step(done) }
            guard moved > 0 else { return false }
            done += moved
        }
        return true
    }
}
