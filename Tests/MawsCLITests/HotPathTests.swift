import ArgumentParser
import MawsCore
import Testing

@testable import maws

/// The hot-path scanner and swift-argument-parser read every command line the scanner takes the
/// same way, and the scanner takes none that swift-argument-parser would refuse.
@Suite struct HotPathTests {
    static let arn = "arn:aws:iam::123456789012:role/Admin"

    /// Every combination of the login options the scanner reads, in both spellings where there are two.
    static var loginCommandLines: [[String]] {
        let parts: [[[String]]] = [
            [[], ["-b"]],
            [[], ["-r", arn], ["--role-arn=\(arn)"]],
            [[], ["-o", "boto"], ["--output=shared"]],
            [[], ["--shell=fish"]],
            [[], ["--profile", "dev"]],
            [[], ["-c", "/tmp/a.ini", "--config", "b.ini"]],
            [[], ["-v"]],
        ]
        var lines: [[String]] = [[]]
        for choices in parts {
            lines = lines.flatMap { line in choices.map { line + $0 } }
        }
        // Order does not matter to either reader; a few lines in another order, and with `login`.
        let spellings =
            [["--batch", "--role-arn", arn]]
            + [
                ["-o", "js"], ["--output", "awscli"], ["-o", "envvar"], ["--shell", "sh"], ["--shell", "powershell"],
                ["--profile=ops.admin"], ["--config=x.ini"], ["--verbose"],
            ].map { ["-b", "-r", arn] + $0 }
        return lines + spellings + lines.suffix(100).map { $0.reversedOptions() } + lines.suffix(50).map { ["login"] + $0 }
    }

    static var credentialProcessCommandLines: [[String]] {
        var lines: [[String]] = []
        for role in [["--role-arn", arn], ["-r", arn], ["--role-arn=\(arn)"], [], ["--vault-role", "deploy"], ["--vault-role=ops@team"]] {
            for config in [[], ["-c", "a.ini"], ["--config", "a.ini", "--config=b.ini"]] {
                for verbose in [[], ["-v"], ["--verbose"]] {
                    lines.append(["credential-process"] + role + config + verbose)
                    lines.append(["credential-process"] + verbose + config + role)
                }
            }
        }
        return lines
    }

    /// Command lines the scanner must leave to swift-argument-parser: help, errors, other options.
    static let handedOver: [[String]] = [
        ["--help"], ["-h"], ["--version"], ["login", "--help"], ["-b"], ["-r", "not-an-arn"],
        ["-r"], ["-r", "-b"], ["-r", arn, "-r", arn], ["-b", "-b", "-r", arn], ["-o", "xml"], ["--shell", "tcsh"],
        ["--profile", "a]b"], ["--profile", "DEFAULT"], ["-r", arn, "--no-cache"], ["-r", arn, "-w"], ["-r", arn, "--print-url"],
        ["-br", arn], ["-r\(arn)"], ["--batch=yes", "-r", arn], ["-r", arn, "--", "x"], ["-r", arn, "extra"],
        ["logout"], ["exec", "--", "true"], ["credential-process"], ["credential-process", "-b", "-r", arn],
        ["credential-process", "--role-arn", arn, "--no-browser"], ["--unknown"], ["-r", arn, "-"],
        ["credential-process", "--vault-role", "a/b"], ["credential-process", "-r", arn, "--vault-role", "deploy"],
        ["credential-process", "--vault-role", "x", "--vault-role", "y"], ["credential-process", "--vault-role"],
        ["--vault-role", "deploy"],
    ]

    @Test func loginLinesReadTheSameByBoth() throws {
        let lines = Self.loginCommandLines
        var scannedCount = 0
        for line in lines {
            let arguments = line.first == "login" ? Array(line.dropFirst()) : line
            switch (HotPath.scan(line), Result { try LoginCommand.parse(arguments) }) {
            case (let scanned?, .success(let command)):
                scannedCount += 1
                #expect(scanned == .login(command.invocation), "\(line)")
            case (nil, .failure):
                continue  // Options that do not go together (-b without -r): swift-argument-parser says so.
            case (let scanned, let parsed):
                Issue.record("\(line): scanner \(String(describing: scanned)), swift-argument-parser \(parsed)")
            }
        }
        #expect(scannedCount > 150)
    }

    @Test func credentialProcessLinesReadTheSameByBoth() throws {
        for line in Self.credentialProcessCommandLines {
            let parsed = Result { try CredentialProcessCommand.parse(Array(line.dropFirst())) }
            switch (HotPath.scan(line), parsed) {
            case (let scanned?, .success(let command)):
                #expect(scanned == .credentialProcess(command.invocation), "\(line)")
            case (nil, .failure):
                continue  // No role: swift-argument-parser reports it.
            case (let scanned, let parsed):
                Issue.record("\(line): scanner \(String(describing: scanned)), swift-argument-parser \(parsed)")
            }
        }
    }

    @Test func everythingElseIsLeftToSwiftArgumentParser() {
        for line in Self.handedOver {
            #expect(HotPath.scan(line) == nil, "\(line)")
        }
    }

    /// `maws --version` is printed without swift-argument-parser, as it would print it.
    @Test func versionTextIsSwiftArgumentParsers() {
        do {
            _ = try Maws.parseAsRoot(["--version"])
            Issue.record("--version parsed as a command")
        } catch {
            #expect(Maws.exitCode(for: error) == .success)
            #expect(Maws.fullMessage(for: error) + "\n" == Main.versionText)
        }
    }
}

extension [String] {
    /// The same options in reverse order, each kept with its value.
    fileprivate func reversedOptions() -> [String] {
        var groups: [[String]] = []
        var index = 0
        while index < count {
            let word = self[index]
            let takesValue = ["-r", "--role-arn", "-o", "--output", "--shell", "--profile", "-c", "--config"].contains(word)
            groups.append(takesValue ? [word, self[index + 1]] : [word])
            index += takesValue ? 2 : 1
        }
        return groups.reversed().flatMap { $0 }
    }
}
