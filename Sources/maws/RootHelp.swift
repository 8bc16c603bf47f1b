import ArgumentParser
import Glibc
import MawsCore

/// `maws --help`: what people run is the default sign-in command, so its options come first,
/// then the subcommands.
///
/// `composed` puts it together from swift-argument-parser's own help of both commands, so it
/// never drifts from the options they declare; but building those costs a run some 14 million
/// instructions. So `maws --help` prints `layout`, the same text unwrapped, wrapped here to the
/// same width by the same rules; `RootHelpTests` holds the two to the same bytes at every width
/// from 27 columns to 240, and names the layout to paste when an option's help changes.
enum RootHelp {
    /// The text for the width swift-argument-parser would use (`$COLUMNS`, else the terminal's,
    /// else 80).
    static func text() -> String {
        let columns = terminalColumns()
        return columns >= minimumColumns ? layout.rendered(columns: columns) : composed(columns: columns)
    }

    /// The narrowest width the layout is rendered at: below it, the option column leaves no room
    /// (swift-argument-parser asserts in debug builds).
    static let minimumColumns = 27

    /// The text from swift-argument-parser's help of the root and login commands.
    static func composed(columns: Int? = nil) -> String {
        let root = Maws.helpMessage(columns: columns)
        let login = LoginCommand.helpMessage(columns: columns)
        let overview = root.components(separatedBy: "USAGE:").first ?? ""
        let options = login.components(separatedBy: "OPTIONS:").dropFirst().joined(separator: "OPTIONS:")
        let subcommands = root.components(separatedBy: "SUBCOMMANDS:").dropFirst().joined(separator: "SUBCOMMANDS:")
        return overview
            + usage
            + optionsHeader + options.trimmingTrailingNewlines() + "\n\n"
            + "SUBCOMMANDS:" + subcommands
    }

    static let usage = "USAGE: maws [login] [<options>]\n       maws <subcommand> [<options>]\n\n"
    static let optionsHeader = "OPTIONS (of login, the default command):"

    /// The width swift-argument-parser wraps help to: `$COLUMNS` when it is a number, else the
    /// width of the terminal on stdout, else 80.
    static func terminalColumns() -> Int {
        if let value = getenv("COLUMNS"), let columns = Int(String(cString: value)) {
            return columns
        }
        var size = winsize()
        if ioctl(STDOUT_FILENO, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 {
            return Int(size.ws_col)
        }
        return 80
    }
}

extension RootHelp {
    /// The help's text before wrapping.
    struct Layout: Equatable {
        /// One entry of a list: an option or a subcommand.
        struct Row: Equatable {
            var label: String
            var abstract: String
        }

        /// "OVERVIEW: " and the root command's abstract and discussion, as one text to wrap.
        var overview: String
        var options: [Row]
        var subcommands: [Row]

        /// Where an entry's abstract starts, and the indent of its label.
        static let abstractColumn = 26
        static let labelIndent = 2

        func rendered(columns: Int) -> String {
            var text = Self.wrap(overview, to: columns, indent: 0) + "\n\n" + RootHelp.usage
            text += RootHelp.optionsHeader + "\n" + options.map { Self.render($0, columns: columns) }.joined()
            text += "\nSUBCOMMANDS:\n" + subcommands.map { Self.render($0, columns: columns) }.joined()
            return text + "\n  See 'maws help <subcommand>' for detailed help."
        }

        /// A row: the label, then the abstract wrapped in its column, on the label's line when
        /// the label leaves room for it, else from the next line.
        static func render(_ row: Row, columns: Int) -> String {
            let label = String(repeating: " ", count: labelIndent) + row.label
            guard !row.abstract.isEmpty else { return label + "\n" }
            let abstract = wrap(row.abstract, to: columns, indent: abstractColumn)
            if label.count < abstractColumn {
                return label + abstract.dropFirst(label.count) + "\n"
            }
            return label + "\n" + abstract + "\n"
        }

        /// `text` in lines of at most `columns` characters where it can be, each line after
        /// `indent` spaces: a line breaks at its last space that fits, or at a line break; a word
        /// longer than the room is kept whole, up to the next space. Empty lines stay empty.
        static func wrap(_ text: String, to columns: Int, indent: Int) -> String {
            let room = columns - indent
            guard room > 0 else { return "" }
            var lines: [Substring] = []
            var rest = text[...]
            while true {
                let fits = rest.prefix(room)
                if let newline = fits.lastIndex(of: "\n") {
                    lines += rest[..<newline].split(separator: "\n", omittingEmptySubsequences: false)
                    rest = rest[rest.index(after: newline)...]
                } else if fits.endIndex == rest.endIndex {
                    lines.append(rest)
                    break
                } else if let space = fits.lastIndex(of: " ") ?? rest.firstIndex(of: " ") {
                    lines.append(rest[..<space])
                    rest = rest[rest.index(after: space)...]
                } else {
                    lines.append(rest)
                    break
                }
            }
            let margin = String(repeating: " ", count: indent)
            return lines.map { $0.isEmpty ? "" : margin + $0 }.joined(separator: "\n")
        }
    }

    /// `maws --help` before wrapping. Generated: when `RootHelpTests` fails, paste the layout it
    /// prints here.
    static let layout = Layout(
        overview: """
            OVERVIEW: Sign in to AWS with your organisation's identity provider and get temporary credentials.

            Run `eval $(maws)`: a browser opens at the identity provider, maws verifies the ID token, asks the roles API which IAM roles you may use, calls STS AssumeRoleWithWebIdentity and prints the credentials. `maws [OPTIONS]` is `maws login [OPTIONS]`; see `maws login --help`.
            """,
        options: [
            .init(label: "-c, --config <PATH>", abstract: "A config file read after the default ones; repeatable, later files win."),
            .init(label: "-v, --verbose", abstract: "Explain each step on stderr (never secrets)."),
            .init(label: "-r, --role-arn <ARN>", abstract: "The IAM role to assume, skipping the role picker."),
            .init(
                label: "--no-cache",
                abstract:
                    "Ask the roles API and STS afresh instead of using cached roles and credentials (a cached ID token is still used)."),
            .init(label: "--no-browser", abstract: "Print the sign-in URL on stderr instead of opening a browser."),
            .init(label: "-b, --batch", abstract: "Never prompt (requires --role-arn)."),
            .init(
                label: "-o, --output <output>",
                abstract: "Output format: envvar (default), awscli, shared, boto or js. (values: envvar, awscli, shared, boto, js)"),
            .init(label: "--profile <NAME>", abstract: "The AWS profile name for the awscli and shared outputs (default ALIAS-ROLE)."),
            .init(
                label: "--shell <shell>",
                abstract:
                    "The shell to print commands for: sh (bash, zsh; default), fish or powershell. (values: sh, fish, powershell; default: sh)"
            ),
            .init(label: "-w, --web-console", abstract: "Also open the AWS console, signed in as the role."),
            .init(label: "--print-url", abstract: "Print an AWS console sign-in URL on stdout instead of credentials."),
            .init(
                label: "--destination <WHERE>",
                abstract: "With -w or --print-url: where the console opens, a service (s3), a path (/ec2/home) or a URL."),
            .init(label: "--region <REGION>", abstract: "With -w or --print-url: the console's region."),
            .init(
                label: "--logout-first",
                abstract: "With -w or --print-url: sign out of the console first, to switch accounts without a private window."),
            .init(
                label: "--picker <WHERE>",
                abstract:
                    "Where to choose among several roles: web (the sign-in's browser tab) or terminal. Default: web when maws opens a browser. (values: web, terminal)"
            ),
            .init(label: "-h, --help", abstract: "Show help information."),
        ],
        subcommands: [
            .init(label: "login (default)", abstract: "Sign in and print credentials (the default command)."),
            .init(label: "logout", abstract: "Remove the credentials maws wrote and clear them from the shell."),
            .init(label: "credential-process", abstract: "Print credentials as AWS credential_process JSON."),
            .init(label: "exec", abstract: "Run a command with the role's credentials in its environment."),
            .init(label: "serve", abstract: "Serve the role's credentials to AWS SDKs from a local endpoint."),
            .init(label: "vault", abstract: "Get AWS credentials from HashiCorp Vault's AWS secrets engine."),
            .init(label: "session", abstract: "Get an MFA session token with a profile's IAM user keys."),
            .init(label: "assume", abstract: "Assume a profile's role (role_arn + source_profile), with MFA when mfa_serial is set."),
            .init(label: "whoami", abstract: "Show who the current credentials are (STS GetCallerIdentity)."),
            .init(label: "import", abstract: "Encrypt a profile's access keys into ~/.aws/credentials-PROFILE.enc."),
            .init(label: "crypto", abstract: "Change the password of, or show, a profile's encrypted keys."),
            .init(label: "rotate", abstract: "Replace a profile's access key with a new one, safely."),
            .init(label: "status", abstract: "Show the sign-ins, credentials and profiles maws holds, without a network request."),
            .init(label: "config", abstract: "Write an AWS profile per role you may use into ~/.aws/config."),
        ]
    )
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> Substring {
        var text = Substring(self)
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
