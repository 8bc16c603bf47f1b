/// An error maws reports to a person: one line naming what is wrong and what to do about it.
///
/// Every module's error enum conforms, so the executable can print any failure the same way
/// and pick the exit status the command-line contract promises: 2 for a usage or configuration
/// problem the person must fix, 1 for anything that went wrong at run time.
package protocol MawsError: Error, CustomStringConvertible, Sendable {
    /// The process exit status this failure maps to.
    var exitCode: Int32 { get }
}

extension MawsError {
    package var exitCode: Int32 { ExitStatus.failure }
}
