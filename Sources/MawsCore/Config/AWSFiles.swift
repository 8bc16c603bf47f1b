/// Where the AWS tools and maws keep profiles.
package struct AWSFiles: Sendable, Equatable {
    /// `AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials`.
    package var credentials: String
    /// `AWS_CONFIG_FILE`, else `~/.aws/config`.
    package var config: String
    /// `~/.aws/credentials`: what the AWS tools read when `AWS_SHARED_CREDENTIALS_FILE` is unset.
    package var defaultCredentials: String
    /// maws's own credentials file for the `shared` output.
    package var mawsCredentials: String

    package init(environment: Environment) {
        let defaultCredentials = environment.home + "/.aws/credentials"
        let mawsCredentials = environment.configHome + "/maws/credentials"
        self.defaultCredentials = defaultCredentials
        self.mawsCredentials = mawsCredentials
        let variable = environment["AWS_SHARED_CREDENTIALS_FILE"].map(environment.expandingTilde)
        // A shell left pointing at maws's own file by `-o shared` still means the AWS default for `-o awscli`.
        credentials = variable.flatMap { $0 == mawsCredentials ? nil : $0 } ?? defaultCredentials
        config = environment["AWS_CONFIG_FILE"].map(environment.expandingTilde) ?? environment.home + "/.aws/config"
    }

    /// Where a profile's long-lived keys are kept encrypted: `<credentials file>-<PROFILE>.enc`
    /// (the location aws-token-manager uses).
    package func encryptedCredentials(of profile: String) -> String {
        credentials + "-" + profile + ".enc"
    }

    /// The section of a profile in the config file: `[default]` or `[profile NAME]`, NAME quoted
    /// when botocore would not read it as one word (`[profile 'my profile']`).
    package static func configSection(for profile: String) -> String {
        BotocoreProfiles.configSection(for: profile)
    }
}
