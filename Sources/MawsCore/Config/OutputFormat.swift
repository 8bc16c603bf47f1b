/// Where and how maws hands over the credentials (`-o/--output`, config `output`).
package enum OutputFormat: String, CaseIterable, Sendable {
    /// `export` lines for a POSIX shell (the default).
    case envvar
    /// A profile in the AWS shared credentials file.
    case awscli
    /// A profile in maws's own credentials file.
    case shared
    /// JSON keyword arguments for boto3.
    case boto
    /// JSON for the AWS SDK for JavaScript.
    case js
}
