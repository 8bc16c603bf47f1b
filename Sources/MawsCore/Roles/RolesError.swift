#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

package enum RolesError: MawsError, Equatable {
    case refused(status: Int, message: String)
    case httpStatus(url: String, status: Int, snippet: String)
    case invalidResponse(url: String, reason: String)
    case noRoles
    case noTerminal
    case cancelled
    /// Ctrl-C in the picker.
    case interrupted

    package var exitCode: Int32 { self == .interrupted ? 130 : ExitStatus.failure }

    package var description: String {
        switch self {
        case .refused(let status, let message):
            return "the roles API refused the request (HTTP \(status)): \(message)"
        case .httpStatus(let url, let status, let snippet):
            return "the roles API at \(url) answered HTTP \(status)\(snippet.isEmpty ? "" : ": \(snippet)"); check idtoken_for_roles_url"
        case .invalidResponse(let url, let reason):
            return "the roles API at \(url) sent an unusable answer: \(reason); check idtoken_for_roles_url"
        case .noRoles:
            return "the roles API lists no AWS roles for you; ask your AWS administrators which groups grant access, or pass -r ARN"
        case .noTerminal:
            return "no terminal to choose a role on; pass -r/--role-arn ARN"
        case .cancelled:
            return "no role chosen"
        case .interrupted:
            return "interrupted; no role chosen"
        }
    }
}
