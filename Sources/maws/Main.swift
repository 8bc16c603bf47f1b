import ArgumentParser
import MawsCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Entry point. Maps failures to the documented exit codes: 0 success, 1 a runtime failure,
/// 2 a usage or configuration error (swift-argument-parser's own default for those is 64).
@main
enum Main {
    static func main() {
        do {
            var command = try Maws.parseAsRoot()
            try command.run()
        } catch let error as MawsError {
            Diagnostics.writeLine("maws: error: \(error)")
            exit(error.exitCode)
        } catch let code as ExitCode {
            exit(code.rawValue)
        } catch {
            let status = Maws.exitCode(for: error)
            if status == .success {
                // --help and --version: printed on stdout, as asked for.
                Maws.exit(withError: error)
            }
            // One line, like every other maws error; the usage text is one `--help` away.
            Diagnostics.writeLine("maws: error: \(Maws.message(for: error)) (see maws --help)")
            exit(ExitStatus.usage)
        }
    }
}
