/// Something wrong with the configuration files or values: always the person's to fix, so exit 2.
package enum ConfigError: MawsError, Equatable {
    /// A file named with `-c` that does not exist.
    case fileNotFound(path: String)
    case unreadable(path: String, reason: String)
    case syntax(path: String, line: Int, reason: String)
    case invalidValue(path: String, line: Int, key: String, reason: String)
    case missingRequired(keys: [String], searched: [String])
    /// A value that did not come from a file (a flag or an environment variable).
    case invalidSetting(source: String, reason: String)

    package var exitCode: Int32 { ExitStatus.usage }

    package var description: String {
        switch self {
        case .fileNotFound(let path):
            return "config file \(path) does not exist; check the path given to -c/--config"
        case .unreadable(let path, let reason):
            return "cannot read config file \(path): \(reason)"
        case .syntax(let path, let line, let reason):
            return "\(path):\(line): \(reason); fix the file (INI format, section [maws])"
        case .invalidValue(let path, let line, let key, let reason):
            return "\(path):\(line): \(key): \(reason)"
        case .missingRequired(let keys, let searched):
            let list = keys.joined(separator: ", ")
            let files = searched.isEmpty ? "no config file was found" : "read " + searched.joined(separator: ", ")
            return "missing required setting\(keys.count > 1 ? "s" : "") \(list) in [maws] (\(files)); "
                + "add \(keys.count > 1 ? "them" : "it") to ~/.config/maws/config.ini or pass -c FILE (see config.example.ini)"
        case .invalidSetting(let source, let reason):
            return "\(source): \(reason)"
        }
    }
}
