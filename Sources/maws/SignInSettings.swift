import MawsCore

/// The sign-in options of a command that gets credentials, as plain values (`SignInOptions` is
/// how swift-argument-parser reads them).
struct SignInSettings: Equatable {
    var roleARN: String?
    var noCache = false
    var noBrowser = false
    /// `--picker` (login only); nil: the config's `role_picker`, else automatic.
    var picker: RolePickerKind?

    /// These settings with `--picker`.
    func picking(_ picker: RolePickerKind?) -> SignInSettings {
        var settings = self
        settings.picker = picker
        return settings
    }

    /// Why these settings cannot be used (`--role-arn` is not a role ARN), or nil.
    var invalidity: String? {
        guard let roleARN else { return nil }
        do {
            _ = try RoleARN(parsing: roleARN)
            return nil
        } catch {
            return error.description
        }
    }

    /// A broker for these settings. `interactive` allows the role picker and a pasted redirect.
    func broker(config: MawsConfig, environment: Environment, diagnostics: Diagnostics, interactive: Bool) throws -> CredentialBroker {
        // Under SSH a browser here would open on the wrong machine: print the URL and accept the
        // redirect pasted back, unless $BROWSER says how to open one.
        let underSSH = environment["SSH_CONNECTION"] != nil || environment["SSH_TTY"] != nil
        let openBrowser = !noBrowser && !(underSSH && environment["BROWSER"] == nil)
        return CredentialBroker(
            config: config, environment: environment,
            options: .init(
                role: try roleARN.map { try RoleARN(parsing: $0) }, batch: !interactive, openBrowser: openBrowser,
                acceptPastedRedirect: !openBrowser && interactive, useCache: !noCache, picker: picker ?? config.rolePicker),
            http: ClockSkewCheckingClient(CurlHTTPClient(network: config.network(environment)), diagnostics: diagnostics),
            diagnostics: diagnostics)
    }
}
