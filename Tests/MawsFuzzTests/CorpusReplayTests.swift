#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Testing
import MawsFuzz

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

    /// Each directory under Tests/Fuzz is the corpus of a target, so none is silently skipped.
    @Test func everyCorpusHasATarget() throws {
        let directories = try FileManager.default.contentsOfDirectory(atPath: Self.corpora).filter { name in
            FuzzCorpus.isDirectory(Self.corpora + "/" + name)
        }
        #expect(Set(directories) == Set(FuzzTargets.all.map(\.name)))
    }
}
