import ArgumentParser
import Hummingbird
import Logging
import MawsCore
import MawsRoles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One JSON line per request on stderr: time, method, path (never the query or the body, which
/// may hold tokens), status and duration; and the request counted in the metrics, by its route
/// (a path nobody routes counts as "unrouted", so that callers cannot invent label values).
struct AccessLog<Context: RequestContext>: RouterMiddleware {
    let metrics: Metrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        var status = 500
        defer {
            let elapsed = ContinuousClock.now - start
            let milliseconds = Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
            metrics.request(endpoint: context.endpointPath ?? "unrouted", status: status, seconds: milliseconds / 1000)
            // Written by hand: JSONEncoder cost more than the rest of a cached answer.
            let line =
                #"{"time":""# + ISO8601.format(Date()) + #"","method":""# + request.method.rawValue + #"","path":"#
                + jsonString(request.uri.path) + #","status":"# + String(status) + #","ms":"#
                + String((milliseconds * 10).rounded() / 10) + "}"
            Diagnostics.writeLine(line)
        }
        do {
            let response = try await next(request, context)
            status = Int(response.status.code)
            return response
        } catch let error as HTTPResponseError {
            // The router answers unknown paths and methods by throwing: log the status it will send.
            status = Int(error.status.code)
            throw error
        }
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped (a path is the
/// caller's choice, and must not break the line or forge another).
func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case _ where scalar.value < 0x20 || scalar.value == 0x7F || (0x2028...0x2029).contains(scalar.value):
            let hex = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
