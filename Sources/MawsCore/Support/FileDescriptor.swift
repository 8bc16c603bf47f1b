import Glibc

/// Whole reads and writes on a file descriptor, each system call made again when a signal
/// interrupts it (`Errno.retrying`).
package enum FileDescriptor {
    /// Writes all of `bytes`; false when a write fails (`errno` says why) or writes nothing.
    @discardableResult
    package static func writeAll(_ descriptor: Int32, _ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { buffer in
                Errno.retrying { Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset) }
            }
            guard written > 0 else { return false }
            offset += written
        }
        return true
    }

    /// Reads up to the end of the file: what was read and, when a read failed, its error number
    /// (the bytes are then those read before it).
    package static func readToEnd(_ descriptor: Int32) -> (bytes: [UInt8], error: Int32?) {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = Errno.retrying { Glibc.read(descriptor, &chunk, chunk.count) }
            if count < 0 { return (bytes, errno) }
            if count == 0 { return (bytes, nil) }
            bytes += chunk[0..<count]
        }
    }
}
