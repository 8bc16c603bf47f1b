import ArgumentParser
import MawsCore

/// A usage problem found after parsing (exit 2, one line).
struct UsageError: MawsError {
    var message: String
    init(_ message: String) { self.message = message }
    var exitCode: Int32 { ExitStatus.usage }
    var description: String { message }
}
