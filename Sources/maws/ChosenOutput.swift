import MawsCore

extension CredentialOutput {
    /// The output of `maws` and `maws vault`: `-o`, else the config's `output`; `--profile`, else
    /// the config's `profile`. The profile name is checked before anything is fetched.
    static func chosen(
        format: OutputFormat?, profile: String?, dialect: ShellDialect, config: MawsConfig, environment: Environment
    ) throws -> CredentialOutput {
        let profileName = try profile ?? config.profile.map { try ProfileName.validated($0, source: "config key profile") }
        let output = CredentialOutput(
            format: format ?? config.output, dialect: dialect, profile: profileName, region: config.region, environment: environment)
        try output.checkProfileName(source: profile != nil ? "--profile" : "config key profile")
        return output
    }
}
