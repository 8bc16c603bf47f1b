import ArgumentParser

/// `maws --help`: what people run is the default sign-in command, so its options come first,
/// then the subcommands. Put together from swift-argument-parser's own help of both commands,
/// so it never drifts from the options they declare.
enum RootHelp {
    static func text(columns: Int? = nil) -> String {
        let root = Maws.helpMessage(columns: columns)
        let login = LoginCommand.helpMessage(columns: columns)
        let overview = root.components(separatedBy: "USAGE:").first ?? ""
        let options = login.components(separatedBy: "OPTIONS:").dropFirst().joined(separator: "OPTIONS:")
        let subcommands = root.components(separatedBy: "SUBCOMMANDS:").dropFirst().joined(separator: "SUBCOMMANDS:")
        return overview
            + "USAGE: maws [login] [<options>]\n       maws <subcommand> [<options>]\n\n"
            + "OPTIONS (of login, the default command):" + options.trimmingTrailingNewlines() + "\n\n"
            + "SUBCOMMANDS:" + subcommands
    }
}

extension String {
    fileprivate func trimmingTrailingNewlines() -> Substring {
        var text = Substring(self)
        while text.last == "\n" { text.removeLast() }
        return text
    }
}
