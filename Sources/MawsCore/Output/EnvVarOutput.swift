/// The `envvar` output: shell lines that set the credentials in the current shell.
///
/// Each line ends with `;` so the text also works unquoted in `eval $(maws)`, where the shell joins
/// the lines into one before evaluating them.
public struct EnvVarOutput: Sendable {
    public var assumed: AssumedRole
    public var promptName: String

    public init(assumed: AssumedRole, promptName: String) {
        self.assumed = assumed
        self.promptName = promptName
    }

    /// The variables to set, in order.
    public var variables: [(name: String, value: String)] {
        let credentials = assumed.credentials
        return [
            ("AWS_ACCESS_KEY_ID", credentials.accessKeyID),
            ("AWS_SECRET_ACCESS_KEY", credentials.secretAccessKey),
            ("AWS_SESSION_TOKEN", credentials.sessionToken),
            ("AWS_SESSION_EXPIRATION", ISO8601.format(credentials.expiration)),
            ("MAWS_PROMPT", promptName),
        ]
    }

    /// Variables that would override the ones above if left set.
    public static let unsetVariables = ["AWS_PROFILE", "AWS_SHARED_CREDENTIALS_FILE"]

    public func render() -> String {
        var text = ""
        for (name, value) in variables {
            text += "export \(name)=\(ShellQuoting.posix(value));\n"
        }
        text += "unset \(Self.unsetVariables.joined(separator: " "));\n"
        return text
    }
}
