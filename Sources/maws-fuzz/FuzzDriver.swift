import CLibFuzzer
import Glibc
import MawsCore
import MawsFuzz

/// The fuzz driver. Built with `-sanitize=fuzzer,address -DMAWS_FUZZER` (`make fuzz`), it hands
/// the target named by `MAWS_FUZZ_TARGET` to libFuzzer, which takes the rest of the command line;
/// in a normal build it is a replayer that runs files through the same target:
///
///     maws-fuzz --list                       the targets
///     maws-fuzz TARGET [FILE|DIRECTORY...]   replay (default: Tests/Fuzz/TARGET)
///     maws-fuzz all                          replay every target's committed corpus
///     MAWS_FUZZ_TARGET=xml maws-fuzz [libFuzzer flags] [CORPUS...]   (fuzzer build)
@main
struct FuzzDriver {
    static func main() {
        #if DEBUG
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "--list" {
            for target in FuzzTargets.all { print("\(target.name)\t\(target.summary)") }
            return
        }
        #if MAWS_FUZZER
        guard selectedName.flatMap(FuzzTargets.named) != nil else {
            fail("set MAWS_FUZZ_TARGET to one of: \(FuzzTargets.all.map(\.name).joined(separator: ", "))")
        }
        // maws-fuzz keeps its own `main` (SwiftPM links an executable with its module's entry point
        // as `main`), checks the target, then hands the command line to libFuzzer's driver.
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput))
        #else
        replay(arguments)
        #endif
        #else
        fail("maws-fuzz needs a debug build: swift build --product maws-fuzz")
        #endif
    }

    #if DEBUG
    static func replay(_ arguments: [String]) {
        guard let name = arguments.first ?? selectedName else {
            fail("usage: maws-fuzz TARGET [FILE|DIRECTORY...] | all | --list")
        }
        let targets = name == "all" ? FuzzTargets.all : FuzzTargets.named(name).map { [$0] } ?? []
        guard !targets.isEmpty else { fail("no fuzz target '\(name)'; maws-fuzz --list names them") }
        for target in targets {
            let paths = arguments.count > 1 && name != "all" ? Array(arguments.dropFirst()) : ["Tests/Fuzz/\(target.name)"]
            var count = 0
            for path in paths {
                do {
                    count += try FuzzCorpus.replay(path, through: target)
                } catch {
                    fail("\(error)")
                }
            }
            print("\(target.name): \(count) inputs, no findings")
        }
    }
    #endif

    static func fail(_ message: String) -> Never {
        Diagnostics.writeStandardError("maws-fuzz: \(message)\n")
        exit(2)
    }
}

/// The target's name from the environment, which libFuzzer's child processes (`-minimize_crash`,
/// `-fork`) inherit along with the flags.
let selectedName = getenv("MAWS_FUZZ_TARGET").map { String(cString: $0) }

#if DEBUG && MAWS_FUZZER
let selectedTarget = selectedName.flatMap(FuzzTargets.named)

/// libFuzzer's entry point, called with each input.
@_cdecl("LLVMFuzzerTestOneInput")
func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = selectedTarget else { FuzzDriver.fail("MAWS_FUZZ_TARGET names no fuzz target") }
    target.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

#endif
