import Testing

@testable import MawsFuzz

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Every committed fuzz input (the seeds and the reproducers of what fuzzing found) runs through
/// its target's invariants on each `swift test`, without the fuzzer: a fixed bug stays fixed.
@Suite struct CorpusReplayTests {
    static let corpora = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fuzz").path

    @Test(arguments: FuzzTargets.all.map(\.name))
    func replaysTheCorpus(of name: String) throws {
        let target = try #require(FuzzTargets.named(name))
        let count = try FuzzCorpus.replay(Self.corpora + "/" + name, through: target)
        #expect(count > 0, "Tests/Fuzz/\(name) holds no inputs")
    }

    /// The jws seeds signed with the fuzz key verify at `FuzzJWK.now`, so the fuzzer starts from
    /// tokens that reach the claim checks and the tampering check through `verify`.
    @Test(arguments: ["signed-valid.jwt", "signed-aud-array-azp.jwt", "signed-no-kid.jwt"])
    func signedSeedsVerify(_ name: String) throws {
        let token = try String(contentsOfFile: Self.corpora + "/jws/" + name, encoding: .utf8)
        let verified = try JWSFuzz.verifier.verify(token, keys: JWSFuzz.keys)
        #expect(verified.claims.iss == FuzzJWK.issuer)
    }

    /// Each directory under Tests/Fuzz is the corpus of a target, so none is silently skipped.
    @Test func everyCorpusHasATarget() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.corpora).filter { name in
            FuzzCorpus.isDirectory(Self.corpora + "/" + name)
        }
        #expect(Set(directories) == Set(FuzzTargets.all.map(\.name)))
    }
}
