#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Remembers, per role, the session duration STS last accepted when the configured one was too
/// long for the role's MaxSessionDuration, so the next sign-in asks for it straight away.
package struct RoleDurationStore: Sendable {
    package var path: String

    package init(cacheDirectory: String) {
        path = cacheDirectory + "/role-durations.json"
    }

    package func duration(for role: RoleARN) -> Int? {
        load()[role.description]
    }

    package func remember(_ seconds: Int, for role: RoleARN) throws(FileError) {
        var durations = load()
        guard durations[role.description] != seconds else { return }
        durations[role.description] = seconds
        guard let bytes = try? JSONWriter.encode(durations, as: .cache) else { return }
        try AtomicFile.write(bytes, to: path)
    }

    func load() -> [String: Int] {
        guard let bytes = AtomicFile.readPrivate(path),
            let durations = try? JSONReader.decode([String: Int].self, from: bytes)
        else { return [:] }
        return durations
    }
}
