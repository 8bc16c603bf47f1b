import Testing

@testable import MawsCore

@Suite struct ProfilePopulationTests {
    /// botocore splits `credential_process` with shlex: paths with spaces or quotes are quoted.
    @Test func wordsAreQuotedForShlex() {
        #expect(ProfilePopulation.shellWord("/usr/local/bin/maws") == "/usr/local/bin/maws")
        #expect(ProfilePopulation.shellWord("arn:aws:iam::123456789012:role/Admin") == "arn:aws:iam::123456789012:role/Admin")
        #expect(ProfilePopulation.shellWord("/home/a b/maws") == "'/home/a b/maws'")
        #expect(ProfilePopulation.shellWord("it's") == "'it'\"'\"'s'")
    }

    @Test func profileNamesFollowAliasesOrThePrefix() throws {
        let directory = RoleDirectory(
            roles: [try RoleARN(parsing: "arn:aws:iam::123456789012:role/Admin")], aliases: ["123456789012": ["yoyodyne-dev"]])
        let files = AWSFiles(environment: Environment(["HOME": "/home/a"]))
        let ledger = WrittenProfiles(environment: Environment(["HOME": "/home/a"]))
        let named = ProfilePopulation(files: files, ledger: ledger, program: "/opt/maws", options: [], region: nil, prefix: nil)
        #expect(named.profiles(for: directory).map(\.name) == ["yoyodyne-dev-Admin"])
        #expect(
            named.profiles(for: directory).map(\.process) == [
                "/opt/maws credential-process --role-arn arn:aws:iam::123456789012:role/Admin"
            ])
        let prefixed = ProfilePopulation(
            files: files, ledger: ledger, program: "/opt/maws", options: ["-c", "/etc/m.ini"], region: nil, prefix: "work")
        #expect(prefixed.profiles(for: directory).map(\.name) == ["work-Admin"])
        #expect(prefixed.profiles(for: directory)[0].process.contains("credential-process -c /etc/m.ini --role-arn"))
    }

    @Test func theDiffShowsAddedAndRemovedLines() {
        #expect(LineDiff.unified("a\nb\n", "a\nb\n", name: "f") == "")
        #expect(LineDiff.unified("a\nb\nc\n", "a\nc\nd\n", name: "f") == "--- f\n+++ f\n a\n-b\n c\n+d\n")
    }
}
