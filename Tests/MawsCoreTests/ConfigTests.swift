import Glibc
import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct INIDocumentTests {
    @Test func readsSectionsKeysCommentsAndContinuations() throws {
        let document = try INIDocument.parse(
            """
            # comment
            ; another
            [maws]
            Client_ID = abc
            scope: openid
              email
            empty =

            [other]
            key=value with = sign\r
            """)
        let maws = try #require(document.section("maws"))
        #expect(maws.entry("client_id")?.value == "abc")
        #expect(maws.entry("client_id")?.line == 4)
        #expect(maws.entry("scope")?.value == "openid\nemail")
        #expect(maws.entry("empty")?.value == "")
        #expect(document.section("other")?.entry("key")?.value == "value with = sign")
    }

    @Test func reportsTheLineOfEachProblem() {
        #expect(throws: INIParseError(line: 1, reason: "key 'a' appears before any [section] header")) { try INIDocument.parse("a = 1") }
        #expect(throws: INIParseError(line: 2, reason: "section header is missing its closing ']'")) { try INIDocument.parse("[a]\n[b") }
        #expect(throws: INIParseError(line: 3, reason: "key 'x' already set on line 2 of the same section")) {
            try INIDocument.parse("[a]\nx = 1\nX = 2")
        }
        #expect(throws: INIParseError(line: 3, reason: "section [a] already appears on line 1")) { try INIDocument.parse("[a]\n[b]\n[a]") }
        #expect(throws: INIParseError(line: 2, reason: "expected 'key = value', a [section] header or a comment")) {
            try INIDocument.parse("[a]\njust words")
        }
    }
}

@Suite struct JSONReaderTests {
    @Test func deeplyNestedJSONIsRefusedWithAClearError() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONReadError.tooDeep(limit: 64)) { try JSONReader.decode(JSONValue.self, from: Array(deep.utf8)) }
        #expect(JSONReadError.tooDeep(limit: 64).description == "it nests arrays or objects deeper than 64 levels")
        let shallow = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(throws: Never.self) { try JSONReader.decode(JSONValue.self, from: Array(shallow.utf8)) }
        // Brackets inside strings are text, not nesting.
        let quoted = "{\"a\": \"" + String(repeating: "[", count: 1000) + "\\\"\"}"
        #expect(throws: Never.self) { try JSONReader.decode(JSONValue.self, from: Array(quoted.utf8)) }
        // Stray closers first do not lower the count for what follows.
        let lopsided = String(repeating: "]", count: 100) + String(repeating: "[", count: 100)
        #expect(throws: JSONReadError.tooDeep(limit: 64)) { try JSONReader.decode(JSONValue.self, from: Array(lopsided.utf8)) }
    }

    @Test func onlyUTF8IsRead() {
        // UTF-16 hides brackets from a byte scan (U+2200 is 00 22); it is refused, not decoded unchecked.
        let deep = "[\"\u{2200}\"," + String(repeating: "[", count: 300) + String(repeating: "]", count: 300) + "]"
        let utf16 = Array(deep.utf16).flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        #expect(throws: JSONReadError.invalid) { try JSONReader.decode(JSONValue.self, from: utf16) }
        #expect(throws: JSONReadError.invalid) { try JSONReader.decode(JSONValue.self, from: [0xEF, 0xBB, 0xBF] + Array("{}".utf8)) }
    }

    @Test func decodingErrorsNameTheMemberNeverTheContent() {
        struct Needs: Decodable { var keys: [Int] }
        #expect(throws: JSONReadError.missingKey("keys")) { try JSONReader.decode(Needs.self, from: Array("{\"secret\": 1}".utf8)) }
        #expect(throws: JSONReadError.wrongType(path: ["keys", "0"])) {
            try JSONReader.decode(Needs.self, from: Array("{\"keys\": [\"x\"]}".utf8))
        }
        #expect(throws: JSONReadError.invalid) { try JSONReader.decode(Needs.self, from: Array("{secret".utf8)) }
    }
}

@Suite struct ConfigLoaderTests {
    let directory: String

    init() throws {
        directory = FileManager.default.temporaryDirectory.path + "/maws-config-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory + "/xdg-home/maws", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/xdg-dir-a/maws", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/xdg-dir-b/maws", withIntermediateDirectories: true)
    }

    var environment: Environment {
        Environment([
            "HOME": directory, "XDG_CONFIG_HOME": directory + "/xdg-home",
            "XDG_CONFIG_DIRS": "\(directory)/xdg-dir-a:\(directory)/xdg-dir-b",
        ])
    }

    func write(_ relativePath: String, _ text: String) throws -> String {
        let path = directory + "/" + relativePath
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    let required = """
        [maws]
        well_known_url = https://idp.example.com/.well-known/openid-configuration
        client_id = from-system
        idtoken_for_roles_url = https://roles.example.com/roles

        """

    @Test func laterFilesWinInTheDocumentedOrder() throws {
        _ = try write("xdg-dir-b/maws/config.ini", required + "scope = openid b\nregion = eu-west-1\n")
        _ = try write("xdg-dir-a/maws/config.ini", "[maws]\nscope = openid a\n")
        _ = try write("xdg-home/maws/config.ini", "[maws]\nclient_id = from-home\n")
        let explicit = try write("explicit.ini", "[maws]\nduration_seconds = 3600\n")
        let loaded = try ConfigLoader(environment: environment, explicitFiles: [explicit]).load()
        #expect(loaded.config.clientID == "from-home")
        #expect(loaded.config.scope == "openid a")  // the first XDG_CONFIG_DIRS entry is the more important
        #expect(loaded.config.region == "eu-west-1")
        #expect(loaded.config.durationSeconds == 3600)
        #expect(loaded.config.output == .envvar)
        #expect(loaded.config.printRoleARN)
        #expect(loaded.config.loginTimeout == 300)
        #expect(
            loaded.files.suffix(4) == [
                "\(directory)/xdg-dir-b/maws/config.ini", "\(directory)/xdg-dir-a/maws/config.ini",
                "\(directory)/xdg-home/maws/config.ini", explicit,
            ])
    }

    @Test func missingRequiredKeysAreNamed() throws {
        let path = try write("partial.ini", "[maws]\nclient_id = x\n")
        #expect(throws: ConfigError.missingRequired(keys: ["well_known_url", "idtoken_for_roles_url"], searched: [path])) {
            try ConfigLoader(environment: environment, explicitFiles: [path]).load()
        }
    }

    @Test func badValuesNameFileLineAndKey() throws {
        let cases: [(String, ConfigError)] = [
            (
                "duration_seconds = 60",
                .invalidValue(
                    path: "", line: 5, key: "duration_seconds",
                    reason: "'60' must be a whole number of seconds from 900 to 43200")
            ),
            (
                "print_role_arn = maybe",
                .invalidValue(path: "", line: 5, key: "print_role_arn", reason: "'maybe' is not a boolean; use yes or no")
            ),
            (
                "scope = email",
                .invalidValue(
                    path: "", line: 5, key: "scope",
                    reason: "must include 'openid' (a space-separated list of OIDC scopes)")
            ),
            (
                "sts_endpoint = http://sts.example.com",
                .invalidValue(
                    path: "", line: 5, key: "sts_endpoint",
                    reason: "'http://sts.example.com' uses plain http; HTTPS is required except for loopback hosts")
            ),
            (
                "region = Mars",
                .invalidValue(path: "", line: 5, key: "region", reason: "'Mars' is not an AWS region name such as us-east-1")
            ),
        ]
        for (line, expected) in cases {
            let path = try write("bad.ini", required + line + "\n")
            guard case .invalidValue(_, let expectedLine, let key, let reason) = expected else { continue }
            #expect(throws: ConfigError.invalidValue(path: path, line: expectedLine, key: key, reason: reason)) {
                try ConfigLoader(environment: environment, explicitFiles: [path]).load()
            }
        }
    }

    @Test func loopbackHTTPIsAllowedAndOtherKeysWarn() throws {
        let path = try write("local.ini", required + "sts_endpoint = http://127.0.0.1:5000\ncolour = blue\n[extra]\n")
        let loaded = try ConfigLoader(environment: environment, explicitFiles: [path]).load()
        #expect(loaded.config.stsEndpoint?.string == "http://127.0.0.1:5000")
        #expect(
            loaded.warnings == [
                "\(path):6: unknown key 'colour' is ignored",
                "\(path):7: section [extra] is ignored; maws reads only [maws]",
            ])
    }

    @Test func aMissingExplicitFileOrASyntaxErrorIsAnError() throws {
        #expect(throws: ConfigError.fileNotFound(path: directory + "/nope.ini")) {
            try ConfigLoader(environment: environment, explicitFiles: [directory + "/nope.ini"]).load()
        }
        let path = try write("broken.ini", "[maws\n")
        #expect(throws: ConfigError.syntax(path: path, line: 1, reason: "section header is missing its closing ']'")) {
            try ConfigLoader(environment: environment, explicitFiles: [path]).load()
        }
        #expect(ConfigError.syntax(path: path, line: 1, reason: "x").exitCode == 2)
    }

    /// The config reader uses plain system calls: what is not a readable UTF-8 regular file is
    /// named as such, a FIFO is refused at once rather than waited on, and a missing default file
    /// (or one under a path component that is a file) is skipped.
    @Test func whatIsNotARegularUTF8FileIsRefused() throws {
        #expect(throws: ConfigError.unreadable(path: directory, reason: "it is not a regular file")) {
            try ConfigLoader(environment: environment, explicitFiles: [directory]).load()
        }
        let fifo = directory + "/fifo.ini"
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(throws: ConfigError.unreadable(path: fifo, reason: "it is not a regular file")) {
            try ConfigLoader(environment: environment, explicitFiles: [fifo]).load()
        }
        let latin1 = directory + "/latin1.ini"
        try Data([0x5B, 0x6D, 0x61, 0x77, 0x73, 0x5D, 0x0A, 0x23, 0xE9, 0x0A]).write(to: URL(fileURLWithPath: latin1))
        #expect(throws: ConfigError.unreadable(path: latin1, reason: "it is not UTF-8 text")) {
            try ConfigLoader(environment: environment, explicitFiles: [latin1]).load()
        }
        let file = try write("plain.ini", required)
        #expect(try ConfigLoader.read(file + "/config.ini", required: false) == nil)
        #expect(try ConfigLoader.read(file, required: true) == required)
        // A byte order mark is kept, so that the parser names it rather than skipping it silently.
        let marked = try write("bom.ini", "\u{FEFF}" + required)
        #expect(
            throws: ConfigError.syntax(
                path: marked, line: 1, reason: "the file starts with a byte order mark, which AWS tools and configparser do not skip")
        ) {
            try ConfigLoader(environment: environment, explicitFiles: [marked]).load()
        }
    }
}

@Suite struct EnvironmentTests {
    /// `Environment.current` reads `environ` itself: the first of two entries with the same name
    /// counts (as for getenv and Python's os.environ), a value keeps every `=` after the first,
    /// and an entry without `=` is skipped.
    @Test func readsEnvironEntriesAsGetenvDoes() {
        let entries = ["A=1", "B=x=y", "NOEQUALS", "A=2", "EMPTY=", "=nameless"]
        var pointers: [UnsafeMutablePointer<CChar>?] = entries.map { strdup($0) } + [nil]
        defer { for pointer in pointers { free(pointer) } }
        let variables = pointers.withUnsafeMutableBufferPointer { Environment.variables(of: $0.baseAddress!) }
        #expect(variables == ["A": "1", "B": "x=y", "EMPTY": "", "": "nameless"])
        #expect(Environment(variables)["EMPTY"] == nil)
        #expect(Environment.current.variables["PATH"] == String(cString: getenv("PATH")))
    }
}

@Suite struct EndpointURLTests {
    @Test func httpsOrLoopbackOnly() throws {
        for good in ["https://idp.example.com/x", "http://127.0.0.1:8080/", "http://localhost/a", "http://[::1]:9/", "http://127.1.2.3/"] {
            _ = try EndpointURL(validating: good)
        }
        #expect(throws: EndpointURLError.insecure("http://idp.example.com")) { try EndpointURL(validating: "http://idp.example.com") }
        #expect(throws: EndpointURLError.insecure("http://127.0.0.1.evil.com/")) {
            try EndpointURL(validating: "http://127.0.0.1.evil.com/")
        }
        #expect(throws: EndpointURLError.unsupportedScheme("ftp")) { try EndpointURL(validating: "ftp://example.com") }
        #expect(throws: EndpointURLError.notAbsolute("idp.example.com")) { try EndpointURL(validating: "idp.example.com") }
        #expect(throws: EndpointURLError.containsCredentials) { try EndpointURL(validating: "https://u:p@example.com") }
    }

    @Test func stsEndpointFollowsTheAWSVariables() throws {
        let configured = try EndpointURL(validating: "https://sts.eu-west-1.amazonaws.com")
        #expect(try STSEndpoint.resolve(configured: nil, environment: Environment([:])).string == "https://sts.amazonaws.com")
        #expect(try STSEndpoint.resolve(configured: configured, environment: Environment([:])) == configured)
        let env = Environment(["AWS_ENDPOINT_URL": "http://127.0.0.1:1", "AWS_ENDPOINT_URL_STS": "http://127.0.0.1:2"])
        #expect(try STSEndpoint.resolve(configured: configured, environment: env).string == "http://127.0.0.1:2")
        #expect(
            try STSEndpoint.resolve(configured: configured, environment: Environment(["AWS_ENDPOINT_URL": "http://127.0.0.1:1"])).string
                == "http://127.0.0.1:1")
        var ignoring = env
        ignoring.variables["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"] = "true"
        #expect(try STSEndpoint.resolve(configured: configured, environment: ignoring) == configured)
        #expect(throws: ConfigError.self) {
            try STSEndpoint.resolve(configured: nil, environment: Environment(["AWS_ENDPOINT_URL_STS": "http://sts.example.com"]))
        }
    }
}
