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
            let line: JSONValue = .object([
                "time": .string(ISO8601.format(Date())), "method": .string(request.method.rawValue),
                "path": .string(request.uri.path), "status": .number(Double(status)),
                "ms": .number((milliseconds * 10).rounded() / 10),
            ])
            if let data = try? JSONWriter.encode(line, as: .compact) { Diagnostics.writeLine(String(decoding: data, as: UTF8.self)) }
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
