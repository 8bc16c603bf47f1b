import Glibc

/// The system's text for an error number (`errno` by default), for messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}

package enum Errno {
    /// What `call` returns, calling it again while it fails with EINTR: a signal arrived before
    /// the system call did anything (`read`, `write`, `send`, `flock`, `waitpid`...).
    package static func retrying<Result: BinaryInteger>(_ call: () -> Result) -> Result {
        while true {
            let result = call()
            if result < 0 && errno == EINTR { continue }
            return result
        }
    }
}
