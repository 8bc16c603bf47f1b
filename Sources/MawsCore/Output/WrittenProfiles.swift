#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// maws's record of the keys it wrote into INI files, so that `maws logout` removes exactly those
/// and never a profile or key somebody else wrote. Kept in `$XDG_STATE_HOME/maws`.
public struct WrittenProfiles: Sendable {
    public struct Record: Codable, Sendable, Equatable {
        public var file: String
        public var section: String
        public var profile: String
        public var keys: [String]
        /// The role whose credentials went there, so logout can also drop them from the cache.
        public var role: String?
    }

    public let path: String

    public init(environment: Environment) {
        path = environment.stateHome + "/maws/written-profiles.json"
    }

    public func records() -> [Record] {
        guard let bytes = AtomicFile.readPrivate(path),
              let records = try? JSONDecoder().decode([Record].self, from: Data(bytes))
        else { return [] }
        return records
    }

    public func contains(file: String, section: String) -> Bool {
        records().contains { $0.file == file && $0.section == section }
    }

    /// Adds `keys` to the record for (file, section).
    public func record(file: String, section: String, profile: String, keys: [String], role: String? = nil) throws {
        try modify { records in
            if let index = records.firstIndex(where: { $0.file == file && $0.section == section }) {
                records[index].keys = Array(Set(records[index].keys).union(keys)).sorted()
                records[index].role = role ?? records[index].role
            } else {
                records.append(Record(file: file, section: section, profile: profile, keys: keys.sorted(), role: role))
            }
        }
    }

    public func forget(_ forgotten: [Record]) throws {
        try modify { records in records.removeAll { forgotten.contains($0) } }
    }

    private func modify(_ change: (inout [Record]) -> Void) throws {
        let directory = AtomicFile.parentDirectory(of: path)
        try AtomicFile.ensureDirectory(directory)
        try FileLock.withExclusiveLock(onDirectory: directory) {
            var current = records()
            change(&current)
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            try AtomicFile.write(Array(try encoder.encode(current)), to: path)
        }
    }
}
