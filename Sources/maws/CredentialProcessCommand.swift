import ArgumentParser
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `maws credential-process`: the AWS `credential_process` contract, for `~/.aws/config`.
struct CredentialProcessCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "credential-process",
        abstract: "Print credentials as AWS credential_process JSON.",
        discussion: """
            For ~/.aws/config:  credential_process = maws credential-process --role-arn ARN
            The AWS CLI and every SDK then run maws whenever they need credentials. maws answers from \
            its cache, refreshes by itself, and opens the browser only when a sign-in is needed. It \
            never reads from stdin.
            """
    )

    @OptionGroup var common: CommonOptions
    @OptionGroup var signIn: SignInOptions

    func validate() throws {
        guard signIn.roleARN != nil else { throw ValidationError("credential-process needs --role-arn") }
    }

    struct Document: Encodable {
        var Version = 1
        var AccessKeyId: String
        var SecretAccessKey: String
        var SessionToken: String
        var Expiration: String
        var AccountId: String
    }

    func run() throws {
        let (environment, diagnostics, config) = try common.context().parts
        let result = try signIn.broker(config: config, environment: environment, diagnostics: diagnostics, interactive: false).run()
        let credentials = result.assumed.credentials
        let document = Document(
            AccessKeyId: credentials.accessKeyID, SecretAccessKey: credentials.secretAccessKey,
            SessionToken: credentials.sessionToken, Expiration: ISO8601.format(credentials.expiration),
            AccountId: result.assumed.role.accountID)
        Diagnostics.writeStandardOutput(try JSONWriter.line(document))
    }
}
