/// The `vault_*` keys of `[maws]`: the HashiCorp Vault that `maws vault` (and `--vault-role`)
/// gets AWS credentials from, after logging in to it with the person's ID token.
package struct VaultSettings: Sendable, Equatable {
    /// `vault_addr`. Only from the config: the ID token goes there, so a stray `VAULT_ADDR` in a
    /// shell must not redirect it.
    package var address: EndpointURL?
    /// `vault_auth_mount`: where the JWT/OIDC auth method is mounted.
    package var authMount = "jwt"
    /// `vault_auth_role`: the auth method's role; nil for its `default_role`.
    package var authRole: String?
    /// `vault_aws_mount`: where the AWS secrets engine is mounted.
    package var awsMount = "aws"
    /// `vault_namespace` (Vault Enterprise), sent as `X-Vault-Namespace`.
    package var namespace: String?
    /// `vault_ttl`: how long STS credentials from Vault should last, in seconds; nil for the
    /// Vault role's default.
    package var ttl: Int?

    package init() {}

    /// Lifetimes AWS issues STS credentials for: 15 minutes to 36 hours (federation tokens).
    package static let ttlRange = 900...129_600

    package static let knownKeys: Set<String> = [
        "vault_addr", "vault_auth_mount", "vault_auth_role", "vault_aws_mount", "vault_namespace", "vault_ttl",
    ]

    init(settings: [String: ConfigSetting]) throws(ConfigError) {
        address = try settings["vault_addr"]?.url()
        if let setting = settings["vault_auth_mount"] {
            authMount = try Self.mount(setting)
        }
        if let setting = settings["vault_aws_mount"] {
            awsMount = try Self.mount(setting)
        }
        if let setting = settings["vault_auth_role"] {
            guard Self.isName(setting.value) else {
                throw setting.invalid("'\(setting.value)' is not a Vault role name (letters, digits, _ - . @)")
            }
            authRole = setting.value
        }
        if let setting = settings["vault_namespace"] {
            guard let namespace = Self.namespace(setting.value) else {
                throw setting.invalid("'\(setting.value)' is not a Vault namespace path such as team-a or org/team-a")
            }
            self.namespace = namespace.isEmpty ? nil : namespace
        }
        if let setting = settings["vault_ttl"] {
            guard let seconds = Self.seconds(setting.value), Self.ttlRange.contains(seconds) else {
                throw setting.invalid("'\(setting.value)' must be a duration from 15m to 36h (e.g. 3600, 3600s, 90m, 12h)")
            }
            ttl = seconds
        }
    }

    private static func mount(_ setting: ConfigSetting) throws(ConfigError) -> String {
        guard let mount = mountPath(setting.value) else {
            throw setting.invalid("'\(setting.value)' is not a Vault mount path such as aws or team/aws")
        }
        return mount
    }

    /// A mount path without its surrounding slashes, or nil when a segment is empty, `.`, `..`
    /// or holds anything but letters, digits, `_`, `-` and `.`: it becomes part of request URLs.
    package static func mountPath(_ text: String) -> String? {
        let trimmed = text.trimmingSlashes
        let segments = trimmed.split(separator: "/", omittingEmptySubsequences: false)
        guard !trimmed.isEmpty,
            segments.allSatisfy({ segment in
                !segment.isEmpty && segment != "." && segment != ".." && segment.allSatisfy { isNameCharacter($0) && $0 != "@" }
            })
        else { return nil }
        return trimmed
    }

    /// A namespace path without its surrounding slashes ("" for the root namespace), or nil.
    static func namespace(_ text: String) -> String? {
        let trimmed = text.trimmingSlashes
        if trimmed.isEmpty { return "" }
        return mountPath(trimmed)
    }

    /// Vault's role names (`framework.GenericNameWithAtRegex`): word characters, `-`, `.` and
    /// `@`, beginning and ending with a word character.
    package static func isName(_ text: String) -> Bool {
        guard let first = text.first, let last = text.last, text.count <= 128 else { return false }
        func isWord(_ character: Character) -> Bool { character.isASCII && (character.isLetter || character.isNumber || character == "_") }
        return isWord(first) && isWord(last) && text.allSatisfy(isNameCharacter)
    }

    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "_-.@".contains(character))
    }

    /// A Vault duration in seconds: a whole number of seconds, or numbers with units s, m, h and
    /// d (`90m`, `1h30m`); nil when it is neither.
    package static func seconds(_ text: String) -> Int? {
        if let plain = Int(text) { return plain >= 0 ? plain : nil }
        var total = 0
        var digits = ""
        for character in text {
            if character.isASCII, character.isNumber {
                digits.append(character)
                continue
            }
            let unit: Int
            switch character {
            case "s": unit = 1
            case "m": unit = 60
            case "h": unit = 3600
            case "d": unit = 86400
            default: return nil
            }
            guard let number = Int(digits), number <= 1_000_000 else { return nil }
            total += number * unit
            digits = ""
        }
        return digits.isEmpty && total > 0 ? total : nil
    }
}

extension String {
    fileprivate var trimmingSlashes: String {
        var text = Substring(self)
        while text.first == "/" { text = text.dropFirst() }
        while text.last == "/" { text = text.dropLast() }
        return String(text)
    }
}
