#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// maws's record of what it wrote into INI files, so that `maws logout` removes exactly that and
/// never a profile or key somebody else wrote. Kept in `$XDG_STATE_HOME/maws`.
///
/// A record names the access key id maws wrote (never a secret), so that maws recognises the
/// section as its own only while it still holds that key: after `aws configure` puts long-lived
/// keys where maws once wrote temporary ones, the section is the person's again.
package struct WrittenProfiles: Sendable {
    package struct Record: Codable, Sendable, Equatable {
        package var file: String
        package var section: String
        package var profile: String
        package var keys: [String]
        /// The role whose credentials went there, so logout can also drop them from the cache.
        package var role: String?
        /// The access key id maws last wrote into the section (credentials files).
        package var accessKeyID: String?
        /// The region maws last wrote into the section (config files).
        package var region: String?
        /// True when maws added the section itself: another temporary key found there later (another
        /// maws run refreshed it) is still maws's to replace or remove. Nil in records written before
        /// maws kept this.
        package var createdSection: Bool?
        /// True when the key maws wrote is an IAM user's that Vault issued for a lease (no session
        /// token; Vault deletes the user when the lease ends): long-lived in form, but maws's to
        /// replace or remove while the section still holds exactly that key.
        package var leased: Bool?

        package init(
            file: String, section: String, profile: String, keys: [String], role: String? = nil,
            accessKeyID: String? = nil, region: String? = nil, createdSection: Bool? = nil, leased: Bool? = nil
        ) {
            self.file = file
            self.section = section
            self.profile = profile
            self.keys = keys
            self.role = role
            self.accessKeyID = accessKeyID
            self.region = region
            self.createdSection = createdSection
            self.leased = leased
        }

        /// Whether the section, as it reads now (`entries`, nil when it is gone), still holds what
        /// maws wrote, so that maws may replace or remove it. A long-lived key (anything but a
        /// temporary `ASIA...` key) is never maws's, unless it is the leased key maws wrote
        /// (`leased`); a temporary key is maws's when it is the one maws wrote, or when maws
        /// created the section.
        package func stillHeld(in entries: [String: String]?) -> Bool {
            guard let entries else { return false }
            if keys.contains("region"), let region, entries["region"] != region { return false }
            guard keys.contains("aws_access_key_id"), let current = entries["aws_access_key_id"] else { return true }
            if leased == true, let accessKeyID, current == accessKeyID { return true }
            guard current.hasPrefix("ASIA") else { return false }
            // A record from before maws kept key ids: a temporary key is the most it can have written.
            guard let accessKeyID else { return true }
            return current == accessKeyID || createdSection == true
        }
    }

    package let path: String

    package init(environment: Environment) {
        path = environment.stateHome + "/maws/written-profiles.json"
    }

    package var directory: String { AtomicFile.parentDirectory(of: path) }

    package func records() -> [Record] {
        guard let bytes = AtomicFile.readPrivate(path),
            let records = try? JSONReader.decode([Record].self, from: bytes)
        else { return [] }
        return records
    }

    package func record(file: String, section: String) -> Record? {
        records().first { $0.file == file && $0.section == section }
    }

    /// Stores `record`, merging it into the record for the same (file, section).
    package func save(_ record: Record) throws {
        try modify { records in
            guard let index = records.firstIndex(where: { $0.file == record.file && $0.section == record.section }) else {
                records.append(record)
                return
            }
            var merged = record
            merged.keys = Array(Set(records[index].keys).union(record.keys)).sorted()
            merged.role = record.role ?? records[index].role
            merged.accessKeyID = record.accessKeyID ?? records[index].accessKeyID
            merged.region = record.region ?? records[index].region
            records[index] = merged
        }
    }

    package func forget(_ forgotten: [Record]) throws {
        try modify { records in
            records.removeAll { record in forgotten.contains { $0.file == record.file && $0.section == record.section } }
        }
    }

    private func modify(_ change: (inout [Record]) -> Void) throws {
        try AtomicFile.ensureDirectory(directory)
        try FileLock.withExclusiveLock(onDirectory: directory) {
            var current = records()
            change(&current)
            try AtomicFile.write(try JSONWriter.encode(current, as: .pretty), to: path)
        }
    }
}
