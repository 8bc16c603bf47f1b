/// One `key = value` after merging the config files, with where it came from.
struct ConfigSetting: Sendable {
    var key: String
    var value: String
    var path: String
    var line: Int

    func invalid(_ reason: String) -> ConfigError {
        .invalidValue(path: path, line: line, key: key, reason: reason)
    }

    func url() throws(ConfigError) -> EndpointURL {
        do {
            return try EndpointURL(validating: value)
        } catch {
            throw invalid(error.description)
        }
    }

    func bool() throws(ConfigError) -> Bool {
        switch value.lowercased() {
        case "yes", "true", "on", "1": return true
        case "no", "false", "off", "0": return false
        default: throw invalid("'\(value)' is not a boolean; use yes or no")
        }
    }

    func integer(in range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let number = Int(value), range.contains(number) else {
            throw invalid("'\(value)' must be a whole number of seconds from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }
}
