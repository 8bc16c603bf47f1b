import Testing

@testable import MawsCore

@Suite struct INIEditorTests {
    static let owned: Set<String> = ["aws_access_key_id", "aws_secret_access_key", "aws_session_token"]

    static let existing = """
        # My AWS credentials; hands off!
        [default]
        aws_access_key_id=AKIADEFAULT
          ; an indented comment
        aws_secret_access_key   =   keep me

        [work]
        aws_access_key_id = ASIAOLD
        aws_secret_access_key = old
        aws_session_token = old-token
          continued
        region = eu-west-1   # not a comment to configparser

        ; trailing comment
        [other]
        key: value
        """

    func keys(_ id: String) -> [(key: String, value: String)] {
        [("aws_access_key_id", id), ("aws_secret_access_key", "secret-\(id)"), ("aws_session_token", "token-\(id)")]
    }

    @Test func replacesOnlyOwnedKeysInPlace() throws {
        var editor = try INIEditor(Self.existing + "\n")
        try editor.setEntries(keys("ASIANEW"), in: "work", owned: Self.owned)
        #expect(
            editor.render() == """
                # My AWS credentials; hands off!
                [default]
                aws_access_key_id=AKIADEFAULT
                  ; an indented comment
                aws_secret_access_key   =   keep me

                [work]
                aws_access_key_id = ASIANEW
                aws_secret_access_key = secret-ASIANEW
                aws_session_token = token-ASIANEW
                region = eu-west-1   # not a comment to configparser

                ; trailing comment
                [other]
                key: value

                """)
        #expect(editor.entries(in: "work")?["region"] == "eu-west-1   # not a comment to configparser")
    }

    @Test func appendsAMissingSectionAndRemovesItAgainExactly() throws {
        let original = Self.existing + "\n"
        var editor = try INIEditor(original)
        try editor.setEntries(keys("ASIA1"), in: "maws-demo-Admin", owned: Self.owned)
        #expect(
            editor.render() == original
                + "\n[maws-demo-Admin]\naws_access_key_id = ASIA1\naws_secret_access_key = secret-ASIA1\naws_session_token = token-ASIA1\n")
        let removed = try editor.removeEntries(Self.owned, from: "maws-demo-Admin")
        #expect(removed)
        #expect(editor.render() == original)
    }

    @Test func keepsAMissingFinalNewlineAndEachLinesEnding() throws {
        var editor = try INIEditor("[a]\r\nx = 1")
        try editor.setEntries([("y", "2")], in: "a", owned: ["y"])
        #expect(editor.render() == "[a]\r\nx = 1\r\ny = 2")
        var empty = try INIEditor("")
        try empty.setEntries([("k", "v")], in: "s", owned: ["k"])
        #expect(empty.render() == "[s]\nk = v\n")
        // Mixed endings stay as they were; new lines take the ending of the line before them.
        var mixed = try INIEditor("[a]\nx = 1\r\n[b]\r\ny = 2\n")
        try mixed.setEntries([("z", "3")], in: "a", owned: ["z"])
        #expect(mixed.render() == "[a]\nx = 1\r\nz = 3\r\n[b]\r\ny = 2\n")
        // After a lone CR an LF of maws's would merge with it into one CRLF line break.
        var lone = try INIEditor("[a]\nx = 1\r")
        try lone.setEntries([("k", "v")], in: "b", owned: ["k"])
        #expect(lone.render() == "[a]\nx = 1\r\r[b]\rk = v\r")
        #expect(try lone.removeEntries(["k"], from: "b"))
        #expect(lone.render() == "[a]\nx = 1\r")
    }

    @Test func aLoneCarriageReturnEndsALineAsInPython() throws {
        let text = "[a]\rx = 1\r[b]\ry = 2\r"
        #expect(try INIDocument.parse(text).section("b")?.entry("y")?.value == "2")
        var editor = try INIEditor(text)
        try editor.setEntries([("z", "3")], in: "a", owned: ["z"])
        #expect(editor.render() == "[a]\rx = 1\rz = 3\r[b]\ry = 2\r")
    }

    @Test func blankLinesAtTheEndOfAFileSurviveAddingAndRemovingASection() throws {
        for original in ["[a]\nk = 1\n\n", "[a]\nk = 1\n\t\n", "  \n", "[a]\n\u{A0}"] {
            var editor = try INIEditor(original)
            try editor.setEntries([("k", "v")], in: "m", owned: ["k"])
            #expect(try editor.removeEntries(["k"], from: "m"))
            #expect(editor.render() == original || editor.render() == original + "\n")
        }
    }

    @Test func newKeysGoBeforeTheSectionsTrailingBlankLines() throws {
        var editor = try INIEditor("[a]\nx = 1\n\n\n[b]\n")
        try editor.setEntries([("y", "2")], in: "a", owned: ["y"])
        #expect(editor.render() == "[a]\nx = 1\ny = 2\n\n\n[b]\n")
    }

    @Test func removingKeysKeepsASectionThatHasOtherContent() throws {
        var editor = try INIEditor("[profile x]\nregion = us-east-1\noutput = json\n")
        let removedRegion = try editor.removeEntries(["region"], from: "profile x")
        #expect(removedRegion)
        #expect(editor.render() == "[profile x]\noutput = json\n")
        let removedNothing = try editor.removeEntries(["region"], from: "absent")
        #expect(!removedNothing)
        #expect(editor.entries(in: "profile x") == ["output": "json"])
    }

    @Test func replacedEntriesKeepTheirIndentation() throws {
        // Unindenting `x` would make the less indented `y` a continuation of it.
        var editor = try INIEditor("[a]\n    x = 1\n  y = 2\n")
        try editor.setEntries([("x", "new")], in: "a", owned: ["x"])
        #expect(editor.render() == "[a]\n    x = new\n  y = 2\n")
        #expect(editor.entries(in: "a") == ["x": "new", "y": "2"])
    }

    @Test func newKeysAreIndentedLikeTheNextHeader() throws {
        // `  [b]` is a header only because it is not indented deeper than `  x = 1`.
        var editor = try INIEditor("[a]\n  x = 1\n  [b]\ny = 2\n")
        try editor.setEntries([("k", "v")], in: "a", owned: ["k"])
        #expect(editor.render() == "[a]\n  x = 1\n  k = v\n  [b]\ny = 2\n")
        #expect(editor.entries(in: "b") == ["y": "2"])
    }

    @Test func anEmptySectionStaysWhenRemovingItWouldChangeTheNextHeader() throws {
        // Without [m], `   [b]` would continue the value of x.
        var editor = try INIEditor("[a]\nx = 1\n[m]\n   k = v\n   [b]\ny = 2\n")
        #expect(editor.entries(in: "b") == ["y": "2"])
        let changed = try editor.removeEntries(["k"], from: "m")
        #expect(changed)
        #expect(editor.render() == "[a]\nx = 1\n[m]\n   [b]\ny = 2\n")
    }

    @Test func refusesWhatConfigparserWouldRefuse() {
        #expect(throws: INIParseError.self) { try INIEditor("[a]\nx = 1\nx = 2\n") }
        #expect(throws: INIParseError.self) { try INIEditor("x = 1\n") }
        #expect(throws: INIParseError(line: 3, reason: "key 'x' already set on line 2 of the same section")) {
            try INIEditor("[a]\nx = 1\nX: 2\n")
        }
        #expect(throws: INIParseError(line: 2, reason: "section header is missing its closing ']'")) { try INIEditor("[a]\n[b\n") }
        #expect(throws: INIParseError(line: 1, reason: "section header has no name")) { try INIEditor("[]\n") }
        #expect(throws: INIParseError(line: 1, reason: "text appears before any [section] header")) { try INIEditor("words\n[a]\n") }
    }
}

/// The rules of the AWS shared files as botocore reads them, each checked against what Python's
/// configparser and botocore 1.44 return for the same text.
@Suite struct INIFormatTests {
    @Test func commentsAfterASectionHeaderAreNotPartOfItsName() throws {
        let text = "[work] ; team account\naws_access_key_id = ASIAOLD\n[profile x] # note\nregion = us-east-1\n"
        let document = try INIDocument.parse(text)
        #expect(document.sections.map(\.name) == ["work", "profile x"])
        var editor = try INIEditor(text)
        try editor.setEntries([("aws_access_key_id", "ASIANEW")], in: "work", owned: ["aws_access_key_id"])
        try editor.setEntries([("region", "eu-west-1")], in: "profile x", owned: ["region"])
        #expect(editor.render() == "[work] ; team account\naws_access_key_id = ASIANEW\n[profile x] # note\nregion = eu-west-1\n")
    }

    @Test func aHeaderRunsToTheLastClosingBracket() throws {
        let text = "[a] ; was [b]\nk = 1\n[c]]\n[d] = 1\n"
        #expect(try INIDocument.parse(text).sections.map(\.name) == ["a] ; was [b", "c]", "d"])
        // Writing [a] next to it would be two sections to botocore but one to lenient readers.
        var editor = try INIEditor(text)
        #expect(
            throws: INIParseError(
                line: 1, reason: "[a] ; was [b] is another section than [a] to the AWS CLI, but other AWS SDKs may read it as the same",
                remedy: "rename it to [a], or write another profile")
        ) {
            try editor.setEntries([("k", "v")], in: "a", owned: ["k"])
        }
        #expect(editor.render() == text)
    }

    @Test func sectionNamesAreNeitherTrimmedNorCaseFolded() throws {
        let document = try INIDocument.parse("[ work ]\nk = 1\n[Work]\nk = 2\n[work]\nk = 3\n")
        #expect(document.sections.map(\.name) == [" work ", "Work", "work"])
        var editor = try INIEditor("[Work]\nk = 2\n")
        try editor.setEntries([("k", "v")], in: "work", owned: ["k"])
        #expect(editor.render() == "[Work]\nk = 2\n\n[work]\nk = v\n")
        var padded = try INIEditor("[ work ]\nk = 1\n")
        #expect(throws: INIParseError.self) { try padded.setEntries([("k", "v")], in: "work", owned: ["k"]) }
    }

    @Test func namesDifferingOnlyInUnicodeNormalizationAreDifferentSections() throws {
        let composed = "caf\u{E9}"
        let decomposed = "cafe\u{301}"
        let document = try INIDocument.parse("[\(composed)]\nk = 1\n[\(decomposed)]\nk = 2\n")
        #expect(document.sections.count == 2)
        var editor = try INIEditor("[\(decomposed)]\nk = 2\n")
        try editor.setEntries([("k", "v")], in: composed, owned: ["k"])
        #expect(editor.render() == "[\(decomposed)]\nk = 2\n\n[\(composed)]\nk = v\n")
    }

    @Test func keysAreLowercasedAndReplacedWhateverTheirCase() throws {
        var editor = try INIEditor("[p]\nAWS_Access_Key_ID: ASIAOLD\n")
        #expect(editor.entries(in: "p") == ["aws_access_key_id": "ASIAOLD"])
        try editor.setEntries([("aws_access_key_id", "ASIANEW")], in: "p", owned: ["aws_access_key_id"])
        #expect(editor.render() == "[p]\naws_access_key_id = ASIANEW\n")
        #expect(
            throws: INIParseError(
                line: 2, reason: "key '\u{3A3}' has non-ASCII capital letters, whose lowercasing maws does not model",
                remedy: "write the key in lowercase")
        ) {
            try INIDocument.parse("[p]\n\u{3A3} = 1\n")
        }
    }

    @Test func textAfterAValueIsPartOfTheValue() throws {
        let document = try INIDocument.parse("[p]\nregion = eu-west-1 # ireland\noutput = json ; or text\n")
        #expect(document.section("p")?.entry("region")?.value == "eu-west-1 # ireland")
        #expect(document.section("p")?.entry("output")?.value == "json ; or text")
    }

    @Test func continuationsRunAcrossBlankLinesAndComments() throws {
        let document = try INIDocument.parse("[a]\nx = 1\n\n  y = 2\n  # skipped\n\tz\n\n\n[b]\n")
        #expect(document.section("a")?.entries.map(\.key) == ["x"])
        #expect(document.section("a")?.entry("x")?.value == "1\n\ny = 2\nz")
    }

    @Test func anIndentedHeaderAfterAnEntryContinuesItsValue() throws {
        let text = "[a]\nx = 1\n  [b]\nk = v\n"
        let document = try INIDocument.parse(text)
        #expect(document.sections.map(\.name) == ["a"])
        #expect(document.section("a")?.entry("x")?.value == "1\n[b]")
        var editor = try INIEditor(text)
        try editor.setEntries([("k", "w")], in: "b", owned: ["k"])
        #expect(editor.render() == text + "\n[b]\nk = w\n")
    }

    @Test func whitespaceIsPythonsWhitespace() throws {
        // No-break space and form feed indent and strip like spaces; a line of them is blank.
        let document = try INIDocument.parse("[a]\nx = 1\n\u{A0}y\n\u{C}\nk\u{C}=\u{2003}v\u{A0}\n")
        #expect(document.section("a")?.entry("x")?.value == "1\ny")
        #expect(document.section("a")?.entry("k")?.value == "v")
        // A zero-width space is not whitespace to Python.
        #expect(throws: INIParseError.self) { try INIDocument.parse("[a]\n\u{200B}\n") }
        // Vertical tab and NEL are whitespace inside a line, not line breaks.
        #expect(try INIDocument.parse("[a]\nk = 1\u{B}2\u{85}3\n").section("a")?.entry("k")?.value == "1\u{B}2\u{85}3")
    }

    @Test func aByteOrderMarkIsRefused() {
        #expect(
            throws: INIParseError(
                line: 1, reason: "the file starts with a byte order mark, which AWS tools and configparser do not skip",
                remedy: "save the file as UTF-8 without BOM")
        ) {
            try INIEditor("\u{FEFF}[default]\nk = v\n")
        }
    }

    @Test func defaultSectionsAreReadButNotEdited() throws {
        let text = "[DEFAULT]\nregion = us-east-1\n[p]\nk = v\n[DEFAULT]\noutput = json\n"
        let document = try INIDocument.parse(text)
        #expect(document.section("DEFAULT")?.entries.map(\.key) == ["region", "output"])
        #expect(document.awsProfile("p", inConfigFile: false)?.entries.map(\.key) == ["k", "region", "output"])
        #expect(
            throws: INIParseError(
                line: 1, reason: "[DEFAULT] gives its keys to every profile in the file, so a profile maws writes would get them too",
                remedy: "move its keys into the profiles that need them")
        ) { try INIEditor(text) }
        #expect(throws: INIParseError(line: 4, reason: "key 'region' already set on line 2 of the same section")) {
            try INIDocument.parse("[DEFAULT]\nregion = a\n[DEFAULT]\nregion = b\n")
        }
    }

    @Test func nestedValuesMustBeSettingsForBotocore() throws {
        #expect(
            try INIEditor("[p]\ns3 =\n  addressing_style = path\n\n  signature_version = s3v4\n").entries(in: "p")?["s3"]
                == "\naddressing_style = path\n\nsignature_version = s3v4")
        #expect(
            throws: INIParseError(
                line: 3,
                reason: "the value of 's3' starts on the line after it, so AWS tools read the lines below as "
                    + "'name = value' settings, and this one has no '='")
        ) {
            try INIEditor("[p]\ns3 =\n  addressing_style\n")
        }
        // A value that starts on its own line is a plain multi-line value.
        #expect(try INIEditor("[p]\nk = a\n  b\n").entries(in: "p")?["k"] == "a\nb")
    }

    @Test func profileNamesInTheConfigFileAreShellWords() {
        let cases: [(String, String?)] = [
            ("profile x", "x"), ("profile  \"x\"", "x"), ("profiles x", "x"), ("profile 'a b'", "a b"), ("profile \"a\\\"b\"", "a\"b"),
            ("profile \"a\\b\"", "a\\b"), ("profile a\\ b", "a b"), ("profile ''", ""), ("profile", nil), ("profile x y", nil),
            ("profile \"x", nil), ("profile x\\", nil), ("profile\tx", "x"), ("profile\u{B}x", nil), ("profile\"\" x", "x"),
            ("profile a\"b c\"d", "ab cd"), ("default", "default"), ("Default", nil), ("sso-session s", nil), ("x", nil),
        ]
        for (section, profile) in cases {
            #expect(BotocoreProfiles.configProfile(ofSection: section) == profile, "\(section)")
        }
        #expect(BotocoreProfiles.configSection(for: "default") == "default")
        #expect(BotocoreProfiles.configSection(for: "x") == "profile x")
        #expect(BotocoreProfiles.configSection(for: "it's my \"profile\"") == "profile 'it'\"'\"'s my \"profile\"'")
        #expect(
            BotocoreProfiles.configProfile(ofSection: BotocoreProfiles.configSection(for: "it's my \"profile\"")) == "it's my \"profile\"")
        #expect(BotocoreProfiles.configSection(for: "a\\b") == "profile 'a\\b'")
    }

    @Test func profilesAreReadAsBotocoreMapsThem() throws {
        let config = try INIDocument.parse(
            "[profile x]\nregion = a\n[profile  \"x\"]\noutput = json\n[profile y z]\nregion = b\n[default]\nk = 1\n")
        // The last section for a profile wins, whole: botocore does not merge them.
        #expect(config.awsProfile("x", inConfigFile: true)?.entries.map(\.key) == ["output"])
        #expect(config.awsProfile("y z", inConfigFile: true) == nil)
        #expect(config.awsProfile("default", inConfigFile: true)?.entry("k")?.value == "1")
        let credentials = try INIDocument.parse("[profile x]\nk = 1\n[x]\nk = 2\n")
        #expect(credentials.awsProfile("x", inConfigFile: false)?.entry("k")?.value == "2")
        #expect(credentials.awsProfile("profile x", inConfigFile: false)?.entry("k")?.value == "1")
    }

    @Test func aProfileIsNeverWrittenTwiceUnderAnotherSpelling() throws {
        var quoted = try INIEditor("[profile \"x\"]\nregion = us-east-1\n")
        #expect(
            throws: INIParseError(
                line: 1, reason: "[profile \"x\"] is profile 'x' to AWS tools, as is [profile x], which maws writes",
                remedy: "rename it to [profile x]")
        ) {
            try quoted.setEntries([("region", "eu-west-1")], in: "profile x", owned: ["region"])
        }
        var both = try INIEditor("[profile x]\nk = 1\n\n[profile  x]\nk = 2\n")
        #expect(
            throws: INIParseError(
                line: 4, reason: "[profile  x] is profile 'x' to AWS tools, as is [profile x], which maws writes",
                remedy: "keep only one of the two sections")
        ) {
            try both.setEntries([("region", "eu-west-1")], in: "profile x", owned: ["region"])
        }
        var defaults = try INIEditor("[profile default]\nregion = us-east-1\n")
        #expect(throws: INIParseError.self) { try defaults.setEntries([("region", "eu-west-1")], in: "default", owned: ["region"]) }
        // Removing maws's own keys never changes which section is the profile.
        #expect(try both.removeEntries(["k"], from: "profile x"))
        #expect(both.render() == "[profile  x]\nk = 2\n")
    }

    @Test func valuesThatWouldNotReadBackAreRefused() throws {
        var editor = try INIEditor("[p]\nk = 1\n")
        for value in ["a\nb", "a\rb", "a\u{0}b", "a\u{1B}b", "a\u{85}b", "a\u{2028}b", " padded", "padded\u{A0}"] {
            #expect(throws: INIValueError.self) { try editor.setEntries([("k", value)], in: "p", owned: ["k"]) }
        }
        for key in ["K", "a b", "", "a=b", "#k", "[k"] {
            #expect(throws: INIValueError.self) { try editor.setEntries([(key, "v")], in: "p", owned: [key]) }
        }
        for section in ["DEFAULT", "a]b", "a\nb", "", " p"] {
            #expect(throws: INIValueError.self) { try editor.setEntries([("k", "v")], in: section, owned: ["k"]) }
        }
        #expect(editor.render() == "[p]\nk = 1\n")
        // Anything else on one line is fine, `=`, `#`, quotes and non-ASCII included.
        try editor.setEntries([("k", "a = b # c \"d\" caf\u{E9}"), ("empty", "")], in: "p", owned: ["k", "empty"])
        #expect(editor.render() == "[p]\nk = a = b # c \"d\" caf\u{E9}\nempty =\n")
        #expect(editor.entries(in: "p") == ["k": "a = b # c \"d\" caf\u{E9}", "empty": ""])
    }

    @Test func aKeyInValuesReplacesAnExistingEntryEvenWhenNotOwned() throws {
        var editor = try INIEditor("[p]\nregion = us-east-1\n")
        try editor.setEntries([("region", "eu-west-1")], in: "p", owned: [])
        #expect(editor.render() == "[p]\nregion = eu-west-1\n")
    }

    @Test func ownedMultiLineValuesGoWithAllTheirLines() throws {
        var editor = try INIEditor("[p]\naws_session_token = a\n\n  b\n# note\n  c\nregion = x\n")
        try editor.setEntries([("aws_session_token", "T")], in: "p", owned: ["aws_session_token"])
        #expect(editor.render() == "[p]\naws_session_token = T\n\n# note\nregion = x\n")
    }
}
