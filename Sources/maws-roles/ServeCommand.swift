import ArgumentParser
import Dispatch
import Glibc
import Hummingbird
import Logging
import MawsCore
import MawsRoles

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// `maws-roles serve`: the ID-token-for-roles API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ID-token-for-roles API.",
        discussion: """
            POST /roles {"token", "key", "cache"} answers the person's roles and account aliases; \
            GET /account-aliases, POST /rebuild-group-role-map (when the config has a [builder] \
            section and rebuild_subject_prefix), POST /filter-groups, GET /healthz, GET /metrics \
            (Prometheus). The maps (files or s3:// objects) are checked every poll_interval \
            seconds and swapped whole; the last good version keeps serving while a source fails. \
            Verified tokens are answered from memory until they expire. Work that blocks (fetching \
            the IdP's keys, rebuilds) runs on at most [api] workers threads with queue_limit \
            requests waiting; beyond that, and while the IdP cannot be reached, it answers 503 \
            with Retry-After at once. Access log: JSON lines on stderr, without tokens. SIGHUP \
            reloads the config (not the listen address); SIGTERM or SIGINT stop it gracefully.
            """
    )

    @Option(
        name: [.customShort("c"), .customLong("config")], help: ArgumentHelp("The config with [api] (and [builder]).", valueName: "PATH"))
    var config: String

    @Option(help: ArgumentHelp("Listen on this port instead of the config's.", valueName: "PORT"))
    var port: Int?

    @Flag(name: [.customShort("v"), .long], help: "Explain each step on stderr.")
    var verbose = false

    func run() async throws {
        let diagnostics = Diagnostics(verbose: verbose)
        let first: RolesService
        do {
            first = try makeService(diagnostics: diagnostics, metrics: Metrics())
        } catch let error as MawsError {
            Diagnostics.error(error.description, program: "maws-roles")
            throw ExitCode(error.exitCode)
        }
        let api = first.config
        let current = Locked(first)
        let reloader = reloadOnHangUp(current: current, diagnostics: diagnostics)
        defer { reloader.cancel() }

        let pool = WorkerPool(workers: api.workers, queueLimit: api.queueLimit)
        let router = Router()
        router.add(middleware: AccessLog(metrics: first.metrics))
        router.post("roles") { request, _ in
            let service = current.withLock { $0 }
            let body = try await collect(request)
            guard let body else { return tooLarge() }
            let bypass = request.uri.queryParameters["cache"] == "false"
            // Answered here when it can be (a cached token, or fresh keys at hand); only a
            // request that needs the IdP's keys fetched goes to a worker thread.
            if let answer = service.roles(body: body, bypassCache: bypass, mayBlock: false) { return response(answer) }
            return await onPool(pool) { service.roles(body: body, bypassCache: bypass)! }
        }
        router.get("account-aliases") { _, _ in response(current.withLock { $0 }.accountAliases()) }
        router.post("rebuild-group-role-map") { request, _ in
            let service = current.withLock { $0 }
            guard let body = try await collect(request) else { return tooLarge() }
            return await onPool(pool) { service.rebuildGroupRoleMap(body: body) }
        }
        router.post("filter-groups") { request, _ in
            let authorization = request.headers[.authorization]
            guard let body = try await collect(request) else { return tooLarge() }
            return response(current.withLock { $0 }.filterGroups(authorization: authorization, body: body))
        }
        router.get("healthz") { _, _ in response(current.withLock { $0 }.health()) }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4", .cacheControl: "no-store"],
                body: .init(byteBuffer: ByteBuffer(string: current.withLock { $0 }.metricsText())))
        }

        var logger = Logger(label: "maws-roles")
        logger.logLevel = verbose ? .info : .warning
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(api.host, port: port ?? api.port), serverName: "maws-roles"),
            onServerRunning: { channel in
                Diagnostics.writeLine("maws-roles: serving on \(channel.localAddress?.description ?? api.host)")
            },
            logger: logger)
        do {
            try await app.runService(gracefulShutdownSignals: [.sigterm, .sigint])
        } catch {
            let reason = "\(error)".contains("Address already in use") ? "the address is in use" : "\(error)"
            Diagnostics.error(
                "cannot serve on \(api.host):\(port ?? api.port): \(reason); "
                    + "choose another with --port or the config's listen", program: "maws-roles")
            throw ExitCode(1)
        }
        current.withLock { $0 }.maps.stopPolling()
    }

    /// The service of the config file as it is now, with its maps loaded (or their failure
    /// recorded) and their polling started.
    private func makeService(diagnostics: Diagnostics, metrics: Metrics) throws -> RolesService {
        let environment = MawsCore.Environment.current
        let api = try APIConfig.load(config)
        let network = api.network(environment)
        let chain = AWSCredentialChain(
            profile: nil, environment: environment, http: CurlHTTPClient(network: network), diagnostics: diagnostics)
        let store = MapStore(s3: S3Client(environment: environment, http: CurlHTTPClient(network: network), credentials: chain.credentials))
        let service = RolesService(
            config: api, http: CurlHTTPClient(network: network), store: store, diagnostics: diagnostics, metrics: metrics,
            rebuild: rebuildAction(chain: chain, environment: environment, diagnostics: diagnostics))
        service.maps.check()
        service.maps.startPolling()
        return service
    }

    /// The rebuild endpoint runs the builder of the same config file, if it has one.
    private func rebuildAction(
        chain: AWSCredentialChain, environment: MawsCore.Environment, diagnostics: Diagnostics
    ) -> (@Sendable () throws -> String)? {
        guard let builderConfig = try? BuilderConfig.load(config) else { return nil }
        let builder = RoleMapBuilder.standard(config: builderConfig, chain: chain, environment: environment, diagnostics: diagnostics)
        return { try builder.buildAndWrite().summary }
    }

    /// SIGHUP reads the config again and puts a new service in place (its counters carried
    /// over); a config that does not load leaves the running one in place, and says why.
    private func reloadOnHangUp(current: Locked<RolesService>, diagnostics: Diagnostics) -> DispatchSourceSignal {
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: DispatchQueue(label: "maws-roles.reload"))
        source.setEventHandler {
            let old = current.withLock { $0 }
            do {
                let new = try makeService(diagnostics: diagnostics, metrics: old.metrics)
                if new.config.host != old.config.host || new.config.port != old.config.port {
                    diagnostics.warning("listen changed in \(config); it takes effect when maws-roles restarts")
                }
                current.withLock { $0 = new }
                old.maps.stopPolling()
                Diagnostics.writeLine("maws-roles: reloaded \(config)")
            } catch {
                Diagnostics.error("cannot reload \(config): \(error); still serving with the config loaded before", program: "maws-roles")
            }
        }
        source.resume()
        return source
    }
}

/// The largest request body the API reads: an ID token and the JWKS the contract sends along fit
/// well within this; a larger body is refused before it costs more memory.
private let maximumBodyBytes = 64 * 1024

private func collect(_ request: Request) async throws -> [UInt8]? {
    guard var collected = try? await request.body.collect(upTo: maximumBodyBytes) else { return nil }
    return collected.readBytes(length: collected.readableBytes) ?? []
}

private func tooLarge() -> Response {
    response(.error(413, "the request body is larger than \(maximumBodyBytes / 1024) KiB"))
}

/// Runs blocking work on the worker pool: 503 with `Retry-After` at once when the pool's queue is
/// full or no worker thread can be started, so a request never waits on a thread that will not come.
private func onPool(_ pool: WorkerPool, _ work: @escaping @Sendable () -> RolesService.Answer) async -> Response {
    switch await pool.run(work) {
    case .success(let answer):
        return response(answer)
    case .failure(.busy):
        return response(
            .error(503, "the server is busy (\(pool.workers) workers, \(pool.queueLimit) waiting); try again shortly", retryAfter: 1))
    case .failure(.noThread(let reason)):
        Diagnostics.writeLine("maws-roles: cannot start a worker thread: \(reason)")
        return response(.error(503, "the server cannot start a worker thread; try again shortly", retryAfter: 1))
    }
}

private func response(_ answer: RolesService.Answer) -> Response {
    var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
    if let retryAfter = answer.retryAfter { headers[.retryAfter] = String(retryAfter) }
    return Response(status: .init(code: answer.status), headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: answer.body)))
}
