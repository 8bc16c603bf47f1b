import ArgumentParser
import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `maws whoami`: who the current credentials belong to.
struct WhoamiCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "whoami",
        abstract: "Show who the current credentials are (STS GetCallerIdentity).",
        discussion: "Uses AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY/AWS_SESSION_TOKEN, or with --profile that profile's keys."
    )

    @OptionGroup var user: UserProfileOptions

    func run() throws {
        let (sessions, environment) = try user.sessions()
        let credentials = try UserSessions.keys(profile: user.profile, environment: environment) { sessions }
        let identity = try AWSAccountAPI(environment: environment, http: sessions.http).callerIdentity(credentials)
        let document = ["Account": identity.account, "Arn": identity.arn, "UserId": identity.userID]
        Diagnostics.writeStandardOutput(try JSONWriter.line(document))
    }
}
