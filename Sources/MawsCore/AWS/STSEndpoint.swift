/// Which STS endpoint to call, decided as the AWS SDKs do: `AWS_ENDPOINT_URL_STS`, then
/// `AWS_ENDPOINT_URL` (both ignored when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true), then the
/// config's `sts_endpoint`, then the global endpoint.
package enum STSEndpoint {
    package static let global = "https://sts.amazonaws.com"

    package static func resolve(configured: EndpointURL?, environment: Environment) throws(ConfigError) -> EndpointURL {
        try service("STS", configured: configured, global: global, environment: environment)
    }

    /// The endpoint of `service` (`STS`, `IAM`): `AWS_ENDPOINT_URL_<SERVICE>`, `AWS_ENDPOINT_URL`,
    /// `configured`, then `global`.
    package static func service(
        _ service: String, configured: EndpointURL?, global: String,
        environment: Environment
    ) throws(ConfigError) -> EndpointURL {
        if let overridden = try environmentOverride(service, environment: environment) { return overridden }
        if let configured { return configured }
        return try! EndpointURL(validating: global)
    }

    /// The region the environment names: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else us-east-1.
    package static func region(_ environment: Environment) -> String {
        environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? "us-east-1"
    }

    /// The endpoint `AWS_ENDPOINT_URL_<SERVICE>` or `AWS_ENDPOINT_URL` sets, unless
    /// `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` is true.
    package static func environmentOverride(_ service: String, environment: Environment) throws(ConfigError) -> EndpointURL? {
        guard environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() != "true" else { return nil }
        for name in ["AWS_ENDPOINT_URL_\(service)", "AWS_ENDPOINT_URL"] {
            if let value = environment[name] {
                do {
                    return try EndpointURL(validating: value)
                } catch {
                    throw .invalidSetting(source: "environment variable \(name)", reason: error.description)
                }
            }
        }
        return nil
    }

    package static let iamGlobal = "https://iam.amazonaws.com"
}
