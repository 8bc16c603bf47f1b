import Glibc

/// The system's text for an error number (`errno` by default), for messages.
func errnoText(_ code: Int32 = errno) -> String {
    String(cString: strerror(code))
}
