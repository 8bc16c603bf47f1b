import ArgumentParser
import Dispatch
import Glibc
import MawsCore
import MawsRoles
import NIOCore

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

        let log = BatchedLines()
        defer { log.flush() }
        let server = HTTPServer(
            router: { route($0, service: current.withLock { $0 }) }, maximumConnections: api.maximumConnections,
            pool: WorkerPool(workers: api.workers, queueLimit: api.queueLimit), metrics: first.metrics, log: log)
        let channel: Channel
        do {
            channel = try await server.start(host: api.host, port: port ?? api.port)
        } catch {
            let reason = "\(error)".contains("Address already in use") ? "the address is in use" : "\(error)"
            Diagnostics.error(
                "cannot serve on \(api.host):\(port ?? api.port): \(reason); "
                    + "choose another with --port or the config's listen", program: "maws-roles")
            throw ExitCode(1)
        }
        Diagnostics.writeLine("maws-roles: serving on \(channel.localAddress?.description ?? api.host)")
        // SIGTERM or SIGINT: stop accepting, answer what was read (at most 10 s), then exit.
        let stoppers = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: DispatchQueue(label: "maws-roles.stop"))
            source.setEventHandler { channel.close(promise: nil) }
            source.resume()
            return source
        }
        defer {
            for stopper in stoppers { stopper.cancel() }
        }
        try? await channel.closeFuture.get()
        await server.drain(seconds: 10)
        current.withLock { $0 }.maps.stopPolling()
    }

    /// The service of the config file as it is now, with its maps loaded (or their failure
    /// recorded) and their polling started.
    private func makeService(diagnostics: Diagnostics, metrics: Metrics) throws -> RolesService {
        let environment = MawsCore.Environment.current
        let api = try APIConfig.load(config)
        let network = api.network(environment)
        let chain = AWSCredentialChain(profile: nil, environment: environment, network: network, diagnostics: diagnostics)
        let store = MapStore(s3: S3Client(environment: environment, http: MapStore.s3HTTP(network), credentials: chain.credentials))
        let service = RolesService(
            config: api, http: CurlHTTPClient(network: network), store: store, diagnostics: diagnostics, metrics: metrics,
            rebuild: try rebuildAction(chain: chain, environment: environment, diagnostics: diagnostics))
        service.maps.check()
        service.maps.startPolling()
        return service
    }

    /// The rebuild endpoint runs the builder of the same config file, if it has one (a `[builder]`
    /// section that does not load is an error, not a rebuild endpoint quietly off).
    private func rebuildAction(
        chain: AWSCredentialChain, environment: MawsCore.Environment, diagnostics: Diagnostics
    ) throws -> (@Sendable () throws -> String)? {
        guard let builderConfig = try BuilderConfig.loadIfPresent(config) else { return nil }
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

/// The API's routes: what answers at once on the event loop, and what goes to the worker pool.
private func route(_ request: IncomingRequest, service: RolesService) -> Route {
    switch (request.method, request.path) {
    case (.POST, "/roles"):
        let bypass = request.query("cache", is: "false")
        // Answered here when it can be (a cached token, or fresh keys at hand); only a request
        // that needs the IdP's keys fetched goes to a worker thread.
        if let answer = service.roles(body: request.body, bypassCache: bypass, mayBlock: false) {
            return Route(endpoint: "/roles", work: .now(Reply(answer)))
        }
        return Route(endpoint: "/roles", work: .onPool { Reply(service.roles(body: request.body, bypassCache: bypass)!) })
    case (.GET, "/account-aliases"):
        return Route(endpoint: "/account-aliases", work: .now(Reply(service.accountAliases())))
    case (.POST, "/rebuild-group-role-map"):
        return Route(endpoint: "/rebuild-group-role-map", work: .onPool { Reply(service.rebuildGroupRoleMap(body: request.body)) })
    case (.POST, "/filter-groups"):
        return Route(
            endpoint: "/filter-groups", work: .now(Reply(service.filterGroups(authorization: request.authorization, body: request.body))))
    case (.GET, "/healthz"):
        return Route(endpoint: "/healthz", work: .now(Reply(service.health())))
    case (.GET, "/metrics"):
        return Route(
            endpoint: "/metrics",
            work: .now(Reply(status: 200, contentType: "text/plain; version=0.0.4", body: Array(service.metricsText().utf8))))
    case (_, "/roles"), (_, "/account-aliases"), (_, "/rebuild-group-role-map"), (_, "/filter-groups"), (_, "/healthz"), (_, "/metrics"):
        return Route(endpoint: request.path, work: .now(Reply(.error(405, "\(request.method.rawValue) is not allowed on \(request.path)"))))
    default:
        return Route(endpoint: "NotFound", work: .now(Reply(.error(404, "not found"))))
    }
}
