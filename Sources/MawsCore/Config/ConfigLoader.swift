import Glibc

/// Finds, reads and merges the config files in the documented order, later files overriding
/// earlier ones: `/etc/maws/config.ini`, each `$XDG_CONFIG_DIRS/maws/config.ini` (least important
/// first), `$XDG_CONFIG_HOME/maws/config.ini`, then every `-c` file in the order given.
package struct ConfigLoader: Sendable {
    package var environment: Environment
    package var explicitFiles: [String]

    package init(environment: Environment, explicitFiles: [String] = []) {
        self.environment = environment
        self.explicitFiles = explicitFiles
    }

    package static let sectionName = "maws"

    /// The default files, in reading order. Missing ones are skipped.
    package var defaultFiles: [String] {
        ["/etc/maws/config.ini"]
            + environment.configDirectories.reversed().map { $0 + "/maws/config.ini" }
            + [environment.configHome + "/maws/config.ini"]
    }

    package struct Loaded: Sendable {
        package var config: MawsConfig
        /// Files that were read, in order.
        package var files: [String]
        /// Unknown keys and other things worth a warning.
        package var warnings: [String]
    }

    package func load() throws(ConfigError) -> Loaded {
        var settings: [String: ConfigSetting] = [:]
        var files: [String] = []
        var warnings: [String] = []
        var seen = Set<String>()
        let candidates = defaultFiles.map { ($0, false) } + explicitFiles.map { ($0, true) }
        for (path, required) in candidates where !seen.contains(path) || required {
            seen.insert(path)
            guard let text = try Self.read(path, required: required) else { continue }
            files.append(path)
            let document: INIDocument
            do {
                document = try INIDocument.parse(text)
            } catch {
                throw .syntax(path: path, line: error.line, reason: error.reason)
            }
            for section in document.sections {
                guard section.name == Self.sectionName else {
                    warnings.append("\(path):\(section.line): section [\(section.name)] is ignored; maws reads only [\(Self.sectionName)]")
                    continue
                }
                for entry in section.entries {
                    guard MawsConfig.knownKeys.contains(entry.key) else {
                        warnings.append("\(path):\(entry.line): unknown key '\(entry.key)' is ignored")
                        continue
                    }
                    settings[entry.key] = ConfigSetting(key: entry.key, value: entry.value, path: path, line: entry.line)
                }
            }
        }
        let config = try MawsConfig(settings: settings, searched: files)
        return Loaded(config: config, files: files, warnings: warnings)
    }

    /// The file's text, or nil when an optional file does not exist. Read with plain system
    /// calls: `Data(contentsOf:)` costs more than the parse. Opened without blocking, so that a
    /// FIFO in the place of a config file is refused rather than waited on.
    static func read(_ path: String, required: Bool) throws(ConfigError) -> String? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT || code == ENOTDIR {
                if required { throw .fileNotFound(path: path) }
                return nil
            }
            throw .unreadable(path: path, reason: code == EACCES ? "permission denied" : String(cString: strerror(code)))
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            throw .unreadable(path: path, reason: "it is not a regular file")
        }
        let (bytes, error) = FileDescriptor.readToEnd(descriptor, chunkSize: min(Int(info.st_size), 1 << 20) + 1)
        if let error { throw .unreadable(path: path, reason: String(cString: strerror(error))) }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw .unreadable(path: path, reason: "it is not UTF-8 text")
        }
        return text
    }
}
