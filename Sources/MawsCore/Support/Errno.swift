#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The system's text for an error number (`errno` by default), for messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
