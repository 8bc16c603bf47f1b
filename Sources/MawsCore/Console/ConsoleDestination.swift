#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Where the AWS console opens after sign-in, from `--destination` and `--region`: a console URL,
/// a path on the console (`/ec2/home`), or a service name (`s3`, `cloudwatch`), which opens that
/// service's home page; the region, when given, is added as the console's `region` parameter.
package struct ConsoleDestination: Sendable, Equatable {
    package var url: String

    /// `destination` (nil: `base` itself) on the console at `base` (the config's
    /// `console_destination`), in `region`.
    package init(_ destination: String?, region: String?, base: EndpointURL) throws(ConsoleDestinationError) {
        var url = base.string
        if let destination {
            if destination.hasPrefix("https://") {
                do {
                    url = try EndpointURL(validating: destination).string
                } catch {
                    throw .invalid(destination, reason: error.description)
                }
            } else if destination.hasPrefix("/") {
                url = Self.origin(of: base.string) + destination
            } else if !destination.isEmpty, destination.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) {
                url = Self.origin(of: base.string) + "/" + destination + "/home"
            } else {
                throw .invalid(destination, reason: "use a console service name such as s3, a path such as /ec2/home, or an https URL")
            }
        }
        if let region {
            guard MawsConfig.isPlausibleRegion(region) else { throw .invalidRegion(region) }
            url += (url.contains("?") ? "&" : "?") + "region=" + region
        }
        self.url = url
    }

    /// `scheme://host[:port]` of `url`.
    static func origin(of url: String) -> String {
        let parts = url.split(separator: "/", maxSplits: 3, omittingEmptySubsequences: false)
        guard parts.count >= 3, parts[0].hasSuffix(":"), parts[1].isEmpty else { return url }
        let host = parts[2].prefix { $0 != "?" && $0 != "#" }
        return parts[0] + "//" + host
    }
}

package enum ConsoleDestinationError: MawsError, Equatable {
    case invalid(String, reason: String)
    case invalidRegion(String)

    package var exitCode: Int32 { ExitStatus.usage }

    package var description: String {
        switch self {
        case .invalid(let destination, let reason):
            return "--destination '\(TerminalText.line(destination))' is not a console destination: \(reason)"
        case .invalidRegion(let region):
            return "--region '\(TerminalText.line(region))' is not an AWS region name such as eu-west-1"
        }
    }
}
