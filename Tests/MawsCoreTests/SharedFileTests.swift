import Dispatch
import Glibc
import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct SharedFileTests {
    let directory = FileManager.default.temporaryDirectory.path + "/maws-shared-\(UUID().uuidString)"
    let original = "# keep me\n[default]\naws_access_key_id = AKIAKEEP\n\n[other]\nx = 1\n"

    @Test func twentyConcurrentWritersAllLand() throws {
        let path = directory + "/credentials"
        try AtomicFile.write(Array(original.utf8), to: path)
        let failures = Locked<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 20) { index in
            do {
                try SharedFile(path: path, holdsSecrets: true).update { editor in
                    try editor.setEntries(
                        [("aws_access_key_id", "ASIA\(index)"), ("aws_secret_access_key", "s\(index)")],
                        in: "profile-\(index)", owned: ["aws_access_key_id", "aws_secret_access_key"])
                }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.hasPrefix(original))
        let editor = try INIEditor(text)
        for index in 0..<20 {
            #expect(editor.entries(in: "profile-\(index)") == ["aws_access_key_id": "ASIA\(index)", "aws_secret_access_key": "s\(index)"])
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory) == ["credentials"])
    }

    @Test func unchangedFilesAreNotRewritten() throws {
        let path = directory + "/config"
        try AtomicFile.write(Array(original.utf8), to: path, mode: 0o644)
        let changed = try SharedFile(path: path, holdsSecrets: false).update { _ in }
        #expect(!changed)
        var info = stat()
        stat(path, &info)
        #expect(info.st_mode & 0o777 == 0o644)
    }
}
