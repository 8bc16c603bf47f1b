// The fuzz targets reach MawsCore's internals through `@testable import`, which only a debug
// build allows; a release build of the whole package compiles this module empty (`maws-fuzz`
// then says it needs a debug build).
#if DEBUG
/// One fuzz target: a function of arbitrary bytes that runs part of MawsCore on them and stops
/// the process (`fatalError`, which libFuzzer reports as a crash) when an invariant does not
/// hold. The same function runs under libFuzzer (`make fuzz`), in the replayer (`maws-fuzz
/// TARGET FILES`) and in the corpus replay test, so every committed input stays a regression test.
package struct FuzzTarget: Sendable {
    /// The name `MAWS_FUZZ_TARGET` selects, and the directory of its corpus under `Tests/Fuzz`.
    package let name: String
    /// What the target runs and checks, one line.
    package let summary: String
    package let run: @Sendable ([UInt8]) -> Void

    init(_ name: String, _ summary: String, run: @escaping @Sendable ([UInt8]) -> Void) {
        self.name = name
        self.summary = summary
        self.run = run
    }
}

package enum FuzzTargets {
    package static let all: [FuzzTarget] = [
        INIReadFuzz.target,
        INIEditorFuzz.target,
        XMLFuzz.target,
        JWSFuzz.target,
        JWKSFuzz.target,
        CacheEntryFuzz.target,
        FormFuzz.target,
        HTTPHeadFuzz.target,
    ]

    package static func named(_ name: String) -> FuzzTarget? {
        all.first { $0.name == name }
    }
}

/// Stops the process when `condition` is false, naming the invariant: libFuzzer then saves the
/// input as a crash. (`precondition` would do the same, but is compiled out with -Ounchecked.)
func require(_ condition: Bool, _ invariant: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition { fatalError("invariant violated: \(invariant())", file: file, line: line) }
}
#endif
