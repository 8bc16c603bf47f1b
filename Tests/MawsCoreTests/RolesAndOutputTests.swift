import Glibc
import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct RoleARNTests {
    @Test func parsesRoleARNsWithPaths() throws {
        let role = try RoleARN(parsing: "arn:aws-us-gov:iam::123456789012:role/team/ops/Admin")
        #expect(role.partition == "aws-us-gov" && role.accountID == "123456789012")
        #expect(role.name == "Admin" && role.resource == "team/ops/Admin")
        #expect(role.description == "arn:aws-us-gov:iam::123456789012:role/team/ops/Admin")
    }

    @Test(arguments: [
        "arn:aws:iam::123:role/x", "arn:aws:iam::123456789012:user/x", "arn:aws:s3:::bucket",
        "arn:aws:iam::123456789012:role/", "arn:aws:iam::123456789012:role/a b", "role/x",
        "arn:aws:iam:us-east-1:123456789012:role/x",
    ])
    func rejectsWhatIsNotARoleARN(text: String) {
        #expect(throws: RoleARNError.self) { try RoleARN(parsing: text) }
    }
}

@Suite struct RoleMenuTests {
    let directory = RoleDirectory(
        roles: try! [
            "arn:aws:iam::222222222222:role/Dev", "arn:aws:iam::111111111111:role/ReadOnly",
            "arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::333333333333:role/ops/Deploy",
        ].map(RoleARN.init(parsing:)),
        aliases: ["111111111111": ["prod"], "222222222222": ["dev"]])

    @Test func groupsByAccountAliasThenNumbers() {
        let menu = RoleMenu(directory: directory)
        #expect(menu.items.map(\.role.resource) == ["Dev", "Admin", "ReadOnly", "ops/Deploy"])
        #expect(
            menu.lines(for: menu.items, highlighted: 1) == [
                "  dev (222222222222)", "    1  Dev",
                "  prod (111111111111)", ">   2  Admin", "    3  ReadOnly",
                "  333333333333", "    4  ops/Deploy",
            ])
    }

    @Test func typingNarrowsAndANumberJumps() {
        let menu = RoleMenu(directory: directory)
        #expect(menu.matches("prod read").map(\.role.name) == ["ReadOnly"])
        #expect(menu.matches("DEPLOY").map(\.role.name) == ["Deploy"])
        #expect(menu.matches("3").first?.role.name == "ReadOnly")
        #expect(menu.matches("nothing").isEmpty)
    }

    @Test func promptNamesUseTheAliasOrAccount() throws {
        #expect(directory.promptName(for: try RoleARN(parsing: "arn:aws:iam::111111111111:role/Admin")) == "prod-Admin")
        #expect(directory.promptName(for: try RoleARN(parsing: "arn:aws:iam::333333333333:role/ops/Deploy")) == "333333333333-Deploy")
    }
}

@Suite struct OutputTests {
    @Test func posixQuotingSurvivesTheShell() throws {
        for value in [
            "plain", "it's", "$(touch /tmp/maws-pwned)", "`id`", "a b  c", "back\\slash", "new\nline", "'", "",
            "team'\u{301}; echo INJECTED; echo '\u{301}",
        ] {
            #expect(try shellOutput("printf %s \(ShellQuoting.posix(value))") == value)
        }
        #expect(ShellQuoting.posix("it's") == "'it'\\''s'")
    }

    static let assumed = AssumedRole(
        role: try! RoleARN(parsing: "arn:aws:iam::111111111111:role/Admin"),
        credentials: AWSCredentials(
            accessKeyID: "ASIA1", secretAccessKey: "wJal/K7MD+bPxR=", sessionToken: "tok",
            expiration: Date(timeIntervalSince1970: 1_795_281_933)),
        assumedRoleARN: "", durationSeconds: 3600)

    func output(_ format: OutputFormat, _ dialect: ShellDialect = .sh, region: String? = nil) -> CredentialOutput {
        CredentialOutput(
            format: format, dialect: dialect, profile: nil, region: region,
            environment: Environment(["HOME": "/nonexistent"]))
    }

    @Test func envvarOutputExportsEverythingAndUnsetsProfiles() throws {
        let delivery = try output(.envvar, region: "eu-west-1").deliver(Self.assumed, promptName: "prod-Admin")
        #expect(
            delivery.stdout == """
                export AWS_ACCESS_KEY_ID='ASIA1';
                export AWS_SECRET_ACCESS_KEY='wJal/K7MD+bPxR=';
                export AWS_SESSION_TOKEN='tok';
                export AWS_SESSION_EXPIRATION='2026-11-21T17:25:33Z';
                export AWS_CREDENTIAL_EXPIRATION='2026-11-21T17:25:33Z';
                export AWS_ACCOUNT_ID='111111111111';
                export MAWS_PROMPT='prod-Admin';
                export AWS_REGION='eu-west-1';
                export AWS_DEFAULT_REGION='eu-west-1';
                unset AWS_PROFILE AWS_SHARED_CREDENTIALS_FILE;

                """)
        #expect(delivery.summary == "Environment variables set")
    }

    @Test func unquotedEvalGetsOnlyWordsThatExpandToThemselves() {
        for safe in [
            "ASIAIOSFODNN7EXAMPLE", "wJal/K7MD+bPxR=", "2026-11-21T17:25:33Z", "http://127.0.0.1:41234/",
            "/home/me/.config/maws/credentials",
        ] {
            #expect(ShellDialect.sh.problem(with: safe) == nil)
        }
        #expect(ShellDialect.sh.problem(with: "ops * team") == "a space")
        #expect(ShellDialect.sh.problem(with: "ops*") == "'*'")
        #expect(ShellDialect.sh.problem(with: "it's") == "a single quote")
        #expect(ShellDialect.fish.problem(with: "it's my profile") == nil)
        #expect(ShellDialect.powershell.problem(with: "x\nStart-Process calc") == "a control character (U+A)")
        #expect(ShellDialect.fish.problem(with: "x\u{2028}y") == "a control character (U+2028)")
        var script = ShellScript(dialect: .sh)
        #expect(throws: ShellOutputError.unsafeValue(name: "AWS_PROFILE", dialect: .sh, problem: "a space")) {
            try script.set("AWS_PROFILE", "my profile")
        }
        #expect(script.lines.isEmpty)
    }

    @Test func promptNamesFromTheRolesAPIAreReducedInEveryDialect() throws {
        for dialect in ShellDialect.allCases {
            let delivery = try output(.envvar, dialect).deliver(Self.assumed, promptName: "ops * team\nStart-Process calc\u{1B}[2J-Admin")
            #expect(delivery.stdout.contains("ops---team-Start-Process-calc--2J-Admin"))
            let starts = ["export ", "unset ", "set -gx ", "set -e ", "$Env:", "Remove-Item "]
            #expect(delivery.stdout.split(separator: "\n").allSatisfy { line in starts.contains { line.hasPrefix($0) } })
        }
    }

    @Test func chosenProfileNamesShOutputCannotPrintAreRefused() throws {
        #expect(throws: ConfigError.self) { try ProfileName.checkPrintable("it's mine", source: "--profile", dialect: .sh) }
        try ProfileName.checkPrintable("it's mine", source: "--profile", dialect: .fish)
        try ProfileName.checkPrintable("team.ops@prod+1", source: "--profile", dialect: .sh)
        #expect(throws: ConfigError.self) { try ProfileName.validated("a\u{85}b", source: "--profile") }
    }

    @Test func remoteTextLosesEscapeSequencesControlsAndLineBreaks() {
        #expect(TerminalText.line("\u{1B}]0;owned\u{07}denied\nmaws: fake line") == "denied maws: fake line")
        #expect(TerminalText.line("\u{1B}[31mred\u{1B}[0m \u{1B}(Bok\u{9B}2J \u{202E}evil\u{0}") == "red ok evil")
        #expect(TerminalText.line("\u{1B}P+q\u{1B}\\after") == "after")
        #expect(TerminalText.line("plain: ünïcode (ok)") == "plain: ünïcode (ok)")
    }

    @Test func jsonOutputsCarryExactlyTheSDKKeys() throws {
        #expect(
            try output(.boto).deliver(Self.assumed, promptName: "p").stdout
                == #"{"aws_access_key_id":"ASIA1","aws_secret_access_key":"wJal/K7MD+bPxR=","aws_session_token":"tok"}"# + "\n")
        #expect(
            try output(.js).deliver(Self.assumed, promptName: "p").stdout
                == #"{"accessKeyId":"ASIA1","secretAccessKey":"wJal/K7MD+bPxR=","sessionToken":"tok"}"# + "\n")
    }

    @Test func fishAndPowerShellLines() throws {
        #expect(ShellDialect.fish.set("A", #"it's a \ $(x)"#) == #"set -gx A 'it\'s a \\ $(x)';"#)
        #expect(ShellDialect.fish.unset(["A", "B"]) == ["set -e A;", "set -e B;"])
        #expect(ShellDialect.powershell.set("A", "it's $(x) ‘q’") == "$Env:A = 'it''s $(x) ‘‘q’’'")
        #expect(ShellDialect.powershell.unset(["A", "B"]) == ["Remove-Item Env:A, Env:B -ErrorAction SilentlyContinue"])
    }

    @Test func fishQuotingSurvivesFish() throws {
        guard let fish = ExecutablePath.resolve("fish", path: "/usr/bin:/bin:/usr/local/bin") else { return }
        // A quote followed by a combining mark is one Swift Character; the shell still sees the quote.
        for value in [
            "plain", "it's", "back\\slash", "$(echo no)", "(echo no)", "a\nb", "\\'",
            "team'\u{301}; echo INJECTED; echo '\u{301}", "\\\u{301}'x",
        ] {
            #expect(try shellOutput("\(fish) --no-config -c \(ShellQuoting.posix("printf %s " + ShellQuoting.fish(value)))") == value)
        }
    }

    @Test func powershellQuotingDoublesEveryQuoteScalar() {
        // PowerShell ends a single-quoted string at ' and at U+2018-U+201B; each is doubled even when a
        // combining mark makes it part of a larger Character.
        #expect(ShellQuoting.powershell("team'\u{301}; Start-Process calc") == "'team''\u{301}; Start-Process calc'")
        #expect(ShellQuoting.powershell("a\u{2019}\u{301}b") == "'a\u{2019}\u{2019}\u{301}b'")
        #expect(ShellQuoting.powershell("it's") == "'it''s'")
    }

    @Test func derivedProfileNamesAreSafe() throws {
        #expect(ProfileName.derived(from: "yoyodyne accounting-Team/AP") == "yoyodyne-accounting-Team-AP")
        #expect(try ProfileName.validated("it's mine", source: "--profile") == "it's mine")
        #expect(throws: ConfigError.self) { try ProfileName.validated("a]b", source: "--profile") }
        #expect(throws: ConfigError.self) { try ProfileName.validated("a]\u{301}b", source: "--profile") }
    }

    @Test func formEncodingRoundTrips() {
        let fields = [("a b", "c&d=e"), ("ü", "+/~")]
        let encoded = FormEncoding.encode(fields)
        #expect(encoded == "a%20b=c%26d%3De&%C3%BC=%2B%2F~")
        #expect(FormEncoding.decode(Substring(encoded))?.map { [$0.0, $0.1] } == fields.map { [$0.0, $0.1] })
        #expect(FormEncoding.decode("a=%zz") == nil)
    }

    @Test func base64URLIsStrict() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8").map(Array.init) == [0xFB, 0xFF])
        #expect(Base64URL.decode("+/8=") == nil)
        #expect(Base64URL.decode("A") == nil)
    }
}

/// What `/bin/sh -c command` prints on stdout.
func shellOutput(_ command: String) throws -> String {
    let pipe = try #require(popen(command, "r"))
    defer { pclose(pipe) }
    var output: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 256)
    while true {
        let count = fread(&buffer, 1, buffer.count, pipe)
        if count <= 0 { break }
        output += buffer[0..<count]
    }
    return String(decoding: output, as: UTF8.self)
}

@Suite struct ChildEnvironmentTests {
    @Test func refusesToWriteTheChildsFilesIntoACacheOthersCanWrite() throws {
        let home = "/tmp/maws-child-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        defer { _ = try? FileManager.default.removeItem(atPath: home) }
        let environment = Environment(["HOME": home, "XDG_CACHE_HOME": home + "/cache", "PATH": "/usr/bin"])
        let files = try ChildEnvironment(environment: environment, region: "eu-west-1").prepareFiles()
        #expect(try String(contentsOfFile: files.config, encoding: .utf8) == "[default]\nregion = eu-west-1\n")
        chmod(home + "/cache/maws", 0o777)
        #expect(throws: CacheError.untrusted(path: home + "/cache/maws")) {
            try ChildEnvironment(environment: environment, region: "eu-west-1").prepareFiles()
        }
    }
}

@Suite struct CompactLineTests {
    /// The hand-written writer gives JSONEncoder's bytes (the `compact` format) for every string:
    /// quotes, backslashes, slashes, every control character, and text beyond ASCII.
    @Test func writesWhatJSONEncoderWrites() throws {
        var samples = ["", "plain", "a/b+c=", "quote \" and backslash \\", "é 漢字 🙂 \u{2028}", "tab\tline\nret\r"]
        samples += (0..<0x20).map { String(UnicodeScalar(UInt8($0))) + "x" }
        for sample in samples {
            let expected = try JSONWriter.line(["aws_access_key_id": sample, "b": "other", "c": sample])
            let written = JSONWriter.compactLine([
                ("aws_access_key_id", .string(sample)), ("b", .string("other")), ("c", .string(sample)),
            ])
            #expect(written == expected, "\(Array(sample.unicodeScalars))")
        }
    }

    @Test func credentialProcessDocumentIsTheEncodersToo() throws {
        struct Document: Encodable {
            var Version = 1
            var AccessKeyId = "ASIAEXAMPLE", SecretAccessKey = "se/cr+et", SessionToken = "to/ken=="
            var Expiration = "2026-11-21T17:25:33Z", AccountId = "123456789012"
        }
        let assumed = AssumedRole(
            role: try RoleARN(parsing: "arn:aws:iam::123456789012:role/Admin"),
            credentials: AWSCredentials(
                accessKeyID: "ASIAEXAMPLE", secretAccessKey: "se/cr+et", sessionToken: "to/ken==",
                expiration: try #require(ISO8601.parse("2026-11-21T17:25:33Z"))),
            assumedRoleARN: "arn:aws:sts::123456789012:assumed-role/Admin/alice", durationSeconds: 3600)
        #expect(CredentialOutput.credentialProcessLine(for: assumed) == (try JSONWriter.line(Document())))
    }
}
