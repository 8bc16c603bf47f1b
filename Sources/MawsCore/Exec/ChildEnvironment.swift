#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The environment of a program that must use maws's credentials and nothing else: the command
/// of `maws exec`, and the programs given `maws serve`'s variables.
///
/// AWS SDKs look for credentials in the environment, then web identity, the shared credentials
/// file, `credential_process` and the config file, and only then at a container endpoint. A
/// `[default]` profile with keys, an `AWS_PROFILE` or an `AWS_ROLE_ARN` inherited from the shell
/// would outrank what maws hands over. So the child loses every variable that chooses credentials,
/// and its `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` point at files of maws's: an empty
/// credentials file, and a config file whose `[default]` holds only the person's settings that
/// choose no credentials (region, output, CA bundle, retries, endpoints).
package struct ChildEnvironment: Sendable {
    /// Variables that make an SDK use other credentials, another profile, or other files.
    package static let competingVariables =
        CredentialOutput.keyVariables + CredentialOutput.sessionVariables + [
            "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE",
            "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
            "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
            "AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
            // Older names: the Java and Go SDKs' keys, the JavaScript SDK v2's, botocore's legacy key file.
            "AWS_ACCESS_KEY", "AWS_SECRET_KEY", "AMAZON_ACCESS_KEY_ID", "AMAZON_SECRET_ACCESS_KEY", "AMAZON_SESSION_TOKEN",
            "AWS_CREDENTIAL_FILE", "AWS_CREDENTIAL_PROFILES_FILE", "BOTO_CONFIG", "AWS_EC2_METADATA_DISABLED",
        ]

    /// Settings copied from the person's profile into the child's config file: none of them
    /// chooses credentials.
    package static let keptSettings = [
        "region", "output", "ca_bundle", "retry_mode", "max_attempts", "defaults_mode", "endpoint_url",
        "sts_regional_endpoints", "use_fips_endpoint", "use_dualstack_endpoint", "cli_pager",
    ]

    package var environment: Environment
    /// maws's configured region, which wins over the person's profile.
    package var region: String?
    package var cache: CacheDirectory

    package init(environment: Environment, region: String?) {
        self.environment = environment
        self.region = region
        cache = CacheDirectory(environment: environment)
    }

    /// The `[default]` settings of the child's config file: the region (maws's config, else the
    /// environment's, else the person's profile's) and the profile's other `keptSettings`.
    func settings() -> [(String, String)] {
        var kept: [(String, String)] = []
        let profileName = AWSProfiles.selected(nil, environment: environment)
        let profileSettings = (try? AWSProfiles(environment: environment))?.settings(of: profileName) ?? [:]
        let chosenRegion = region ?? environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? profileSettings["region"]
        if let chosenRegion { kept.append(("region", chosenRegion)) }
        for key in Self.keptSettings where key != "region" {
            guard let value = profileSettings[key] else { continue }
            kept.append((key, value))
        }
        // A value on several lines (a nested section) or with control characters is left out.
        return kept.filter { !$0.1.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }
    }

    /// What the child's environment points at.
    package struct Files: Sendable {
        package var credentials: String
        package var config: String
        package var region: String?

        /// The variables that point an SDK at these files (and the region). The Java SDK v1 reads
        /// `AWS_CREDENTIAL_PROFILES_FILE` instead of `AWS_SHARED_CREDENTIALS_FILE`, and botocore
        /// reads `~/.boto` unless `BOTO_CONFIG` names another file: both get the empty one. The
        /// instance metadata service, last in every chain, is turned off.
        package var variables: [(String, String)] {
            [
                ("AWS_SHARED_CREDENTIALS_FILE", credentials), ("AWS_CREDENTIAL_PROFILES_FILE", credentials),
                ("BOTO_CONFIG", credentials), ("AWS_CONFIG_FILE", config), ("AWS_EC2_METADATA_DISABLED", "true"),
            ]
                + (region.map { [("AWS_REGION", $0), ("AWS_DEFAULT_REGION", $0)] } ?? [])
        }
    }

    /// Writes the child's files into the cache directory, which must be ours and closed to others
    /// (a config file someone else could replace would choose the child's credentials).
    package func prepareFiles() throws -> Files {
        try cache.ensureTrustworthy()
        let settings = settings()
        let config = "[default]\n" + settings.map { "\($0.0) = \($0.1)\n" }.joined()
        // Named after their content, so concurrent runs with different settings never clash.
        let directory = cache.path + "/child"
        let files = Files(
            credentials: directory + "/credentials", config: directory + "/config-" + CacheDirectory.keyHash([config]),
            region: settings.first { $0.0 == "region" }?.1)
        try AtomicFile.write(Array(config.utf8), to: files.config)
        // Rewritten empty every time: a child that saved keys there must not hand them to the next one.
        try AtomicFile.write([], to: files.credentials)
        return files
    }

    /// `variables` (maws's credentials or endpoint) on top of the inherited environment, without
    /// what competes with them and pointing at the child's files.
    package func build(adding variables: [(String, String)]) throws -> [String: String] {
        var child = environment.variables
        for name in Self.competingVariables { child[name] = nil }
        for (name, value) in try prepareFiles().variables + variables { child[name] = value }
        return child
    }
}
