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
        editor.setEntries(keys("ASIANEW"), in: "work", owned: Self.owned)
        #expect(editor.render() == """
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
    }

    @Test func appendsAMissingSectionAndRemovesItAgainExactly() throws {
        let original = Self.existing + "\n"
        var editor = try INIEditor(original)
        editor.setEntries(keys("ASIA1"), in: "maws-demo-Admin", owned: Self.owned)
        #expect(editor.render() == original + "\n[maws-demo-Admin]\naws_access_key_id = ASIA1\naws_secret_access_key = secret-ASIA1\naws_session_token = token-ASIA1\n")
        let removed = editor.removeEntries(Self.owned, from: "maws-demo-Admin")
        #expect(removed)
        #expect(editor.render() == original)
    }

    @Test func keepsAMissingFinalNewlineAndCRLF() throws {
        var editor = try INIEditor("[a]\r\nx = 1")
        editor.setEntries([("y", "2")], in: "a", owned: ["y"])
        #expect(editor.render() == "[a]\r\nx = 1\r\ny = 2")
        var empty = try INIEditor("")
        empty.setEntries([("k", "v")], in: "s", owned: ["k"])
        #expect(empty.render() == "[s]\nk = v\n")
    }

    @Test func newKeysGoBeforeTheSectionsTrailingBlankLines() throws {
        var editor = try INIEditor("[a]\nx = 1\n\n\n[b]\n")
        editor.setEntries([("y", "2")], in: "a", owned: ["y"])
        #expect(editor.render() == "[a]\nx = 1\ny = 2\n\n\n[b]\n")
    }

    @Test func removingKeysKeepsASectionThatHasOtherContent() throws {
        var editor = try INIEditor("[profile x]\nregion = us-east-1\noutput = json\n")
        let removedRegion = editor.removeEntries(["region"], from: "profile x")
        #expect(removedRegion)
        #expect(editor.render() == "[profile x]\noutput = json\n")
        let removedNothing = editor.removeEntries(["region"], from: "absent")
        #expect(!removedNothing)
        #expect(editor.entries(in: "profile x") == ["output": "json"])
    }

    @Test func indentedKeysAfterAHeaderAreEntries() throws {
        var editor = try INIEditor("[a]\n  x = 1\n")
        editor.setEntries([("x", "2")], in: "a", owned: ["x"])
        #expect(editor.render() == "[a]\nx = 2\n")
    }

    @Test func refusesWhatConfigparserWouldRefuse() {
        #expect(throws: INIParseError.self) { try INIEditor("[a]\nx = 1\nx = 2\n") }
        #expect(throws: INIParseError.self) { try INIEditor("x = 1\n") }
    }
}
