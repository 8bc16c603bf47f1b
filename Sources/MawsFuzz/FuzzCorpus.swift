#if DEBUG
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The committed inputs of the fuzz targets: `Tests/Fuzz/TARGET/`, hand-written seeds and the
/// minimised reproducers of what fuzzing found (`crash-*`).
package enum FuzzCorpus {
    /// The regular files at `path`: the file itself, or those in the directory and below it, sorted.
    package static func files(at path: String) throws -> [String] {
        guard let type = try? kind(of: path) else { throw CorpusError(path: path) }
        guard type == .typeDirectory else { return [path] }
        return try FileManager.default.subpathsOfDirectory(atPath: path).sorted().compactMap { relative in
            let file = path + "/" + relative
            return try kind(of: file) == .typeRegular ? file : nil
        }
    }

    /// Whether `path` is a directory.
    package static func isDirectory(_ path: String) -> Bool {
        (try? kind(of: path)) == .typeDirectory
    }

    private static func kind(of path: String) throws -> FileAttributeType? {
        try FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType
    }

    /// Runs every file at `path` through `target`; returns how many there were.
    @discardableResult
    package static func replay(_ path: String, through target: FuzzTarget) throws -> Int {
        let files = try files(at: path)
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { throw CorpusError(path: file) }
            target.run(Array(data))
        }
        return files.count
    }

    package struct CorpusError: Error, CustomStringConvertible {
        package var path: String
        package var description: String { "\(path): no such file or directory, or unreadable" }
    }
}
#endif
