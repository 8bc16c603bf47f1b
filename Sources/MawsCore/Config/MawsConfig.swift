/// The settings of the `[maws]` section, validated.
package struct MawsConfig: Sendable, Equatable {
    package var wellKnownURL: EndpointURL
    package var clientID: String
    package var idTokenForRolesURL: EndpointURL
    package var scope: String
    package var output: OutputFormat
    package var profile: String?
    package var printRoleARN: Bool
    package var durationSeconds: Int
    /// The configured STS endpoint; `STSEndpoint.resolve` applies the AWS environment overrides.
    package var stsEndpoint: EndpointURL?
    package var region: String?
    /// How long the browser sign-in may take before maws gives up, in seconds.
    package var loginTimeout: Int
    /// The AWS federation endpoint for console sign-in (`-w`, `--print-url`).
    package var federationURL: EndpointURL
    /// Where the console opens after sign-in.
    package var consoleDestination: EndpointURL
    /// `console_logout_first`: sign out of the console before signing in to it (`--logout-first`).
    package var consoleLogoutFirst = false
    /// `role_picker`: where to choose a role; nil: in the browser when maws opened one for the
    /// sign-in, else on the terminal.
    package var rolePicker: RolePickerKind?
    /// `ca_bundle`: the CA certificates to trust instead of the system's (when `AWS_CA_BUNDLE` is
    /// not set).
    package var caBundle: CABundleSetting?
    /// The `vault_*` keys: where `maws vault` gets credentials.
    package var vault = VaultSettings()

    /// The CA certificates and proxies for maws's requests, from `environment` and `ca_bundle`.
    package func network(_ environment: Environment) -> NetworkSettings {
        CABundleSetting.network(caBundle, environment: environment)
    }

    package static let defaultScope = "openid"
    package static let defaultDurationSeconds = 43200
    package static let defaultLoginTimeout = 300
    package static let durationRange = 900...43200
    package static let defaultFederationURL = "https://signin.aws.amazon.com/federation"
    package static let defaultConsoleDestination = "https://console.aws.amazon.com/"
}

extension MawsConfig {
    /// Every key the `[maws]` section may hold; anything else draws a warning.
    package static let knownKeys: Set<String> = Set([
        "well_known_url", "client_id", "idtoken_for_roles_url", "scope", "output", "profile",
        "print_role_arn", "duration_seconds", "sts_endpoint", "region", "login_timeout",
        "federation_url", "console_destination", "console_logout_first", "ca_bundle", "role_picker",
    ]).union(VaultSettings.knownKeys)

    static let requiredKeys = ["well_known_url", "client_id", "idtoken_for_roles_url"]

    /// Builds the configuration from merged settings, each remembering the file and line it came from.
    init(settings: [String: ConfigSetting], searched: [String]) throws(ConfigError) {
        let missing = Self.requiredKeys.filter { settings[$0]?.value.isEmpty ?? true }
        guard missing.isEmpty else {
            throw .missingRequired(keys: missing, searched: searched)
        }
        wellKnownURL = try settings["well_known_url"]!.url()
        clientID = settings["client_id"]!.value
        idTokenForRolesURL = try settings["idtoken_for_roles_url"]!.url()

        scope = settings["scope"]?.value ?? Self.defaultScope
        if let setting = settings["scope"] {
            guard setting.value.split(separator: " ").contains("openid") else {
                throw setting.invalid("must include 'openid' (a space-separated list of OIDC scopes)")
            }
        }

        output = .envvar
        if let setting = settings["output"] {
            guard let format = OutputFormat(rawValue: setting.value) else {
                throw setting.invalid(
                    "'\(setting.value)' is not an output format; use one of "
                        + OutputFormat.allCases.map(\.rawValue).joined(separator: ", "))
            }
            output = format
        }

        profile = settings["profile"]?.value
        printRoleARN = try settings["print_role_arn"]?.bool() ?? true
        durationSeconds = try settings["duration_seconds"]?.integer(in: Self.durationRange) ?? Self.defaultDurationSeconds
        stsEndpoint = try settings["sts_endpoint"]?.url()
        if let setting = settings["region"] {
            guard Self.isPlausibleRegion(setting.value) else {
                throw setting.invalid("'\(setting.value)' is not an AWS region name such as us-east-1")
            }
            region = setting.value
        }
        loginTimeout = try settings["login_timeout"]?.integer(in: 10...3600) ?? Self.defaultLoginTimeout
        federationURL = try settings["federation_url"]?.url() ?? (try! EndpointURL(validating: Self.defaultFederationURL))
        consoleDestination = try settings["console_destination"]?.url() ?? (try! EndpointURL(validating: Self.defaultConsoleDestination))
        consoleLogoutFirst = try settings["console_logout_first"]?.bool() ?? false
        if let setting = settings["role_picker"] {
            guard let kind = RolePickerKind(rawValue: setting.value) else {
                throw setting.invalid("'\(setting.value)' is not a role picker; use web or terminal")
            }
            rolePicker = kind
        }
        caBundle = try settings["ca_bundle"].map { setting throws(ConfigError) in
            try CABundleSetting.validated(setting.value, file: setting.path, line: setting.line)
        }
        vault = try VaultSettings(settings: settings)
    }

    static func isPlausibleRegion(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        return parts.count >= 3
            && parts.allSatisfy { !$0.isEmpty && $0.allSatisfy { $0.isASCII && ($0.isLowercase || $0.isNumber) } }
            && parts.last!.allSatisfy(\.isNumber)
    }
}
