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

/// `maws-roles serve`: the ID-token-for-roles API.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the ID-token-for-roles API.",
        discussion: """
            POST /roles {"token", "key", "cache"} answers the person's roles and account aliases; \
            GET /account-aliases, POST /rebuild-group-role-map (when the config has a [builder] \
            section and rebuild_subject_prefix), GET /healthz. The endpoints run on at most [api] \
            workers threads with queue_limit requests waiting; beyond that, and while the IdP cannot \
            be reached, they answer 503 with Retry-After at once. Access log: JSON lines on stderr, \
            without tokens. SIGTERM or SIGINT stop it gracefully.
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
        let environment = MawsCore.Environment.current
        let diagnostics = Diagnostics(verbose: verbose)
        let api: APIConfig
        do {
            api = try APIConfig.load(config)
        } catch let error as MawsError {
            Diagnostics.error(error.description, program: "maws-roles")
            throw ExitCode(error.exitCode)
        }
        let rebuild = try rebuildAction(environment: environment, diagnostics: diagnostics)
        let service = RolesService(
            config: api, http: CurlHTTPClient(network: api.network(environment)), diagnostics: diagnostics,
            rebuild: rebuild)

        // The endpoints block (libcurl to the IdP, the map files), so they run on a bounded pool of
        // threads, never on the event loops. /healthz (two stat calls, the maps read only when they
        // changed) answers beside the pool, so a full pool does not make the server look dead.
        let pool = WorkerPool(workers: api.workers, queueLimit: api.queueLimit)
        let router = Router()
        router.add(middleware: AccessLog())
        router.post("roles") { request, _ in try await respond(on: pool, service.roles, request) }
        router.get("account-aliases") { _, _ in try await respond(on: pool) { _ in service.accountAliases() } }
        router.post("rebuild-group-role-map") { request, _ in try await respond(on: pool, service.rebuildGroupRoleMap, request) }
        router.post("filter-groups") { request, _ in
            let authorization = request.headers[.authorization]
            return try await respond(on: pool, { service.filterGroups(authorization: authorization, body: $0) }, request)
        }
        router.get("healthz") { _, _ in response(service.health()) }

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
    }

    /// The rebuild endpoint runs the builder of the same config file, if it has one.
    private func rebuildAction(environment: MawsCore.Environment, diagnostics: Diagnostics) throws -> (@Sendable () throws -> String)? {
        guard let builderConfig = try? BuilderConfig.load(config),
            let id = environment["AWS_ACCESS_KEY_ID"], let secret = environment["AWS_SECRET_ACCESS_KEY"]
        else { return nil }
        let builder = RoleMapBuilder(
            config: builderConfig,
            api: AWSAccountAPI(environment: environment, http: CurlHTTPClient(network: builderConfig.network(environment))),
            credentials: .init(accessKeyID: id, secretAccessKey: secret, sessionToken: environment["AWS_SESSION_TOKEN"]),
            diagnostics: diagnostics)
        return { try builder.buildAndWrite().summary }
    }
}

/// Runs a service endpoint on the worker pool and turns its answer into a JSON response: 503 with
/// `Retry-After` at once when the pool's queue is full or no worker thread can be started, so a
/// request is never left waiting on a thread that will not come.
/// The largest request body the API reads.
private let maximumBodyBytes = 64 * 1024

private func respond(
    on pool: WorkerPool, _ endpoint: @escaping @Sendable ([UInt8]) -> RolesService.Answer,
    _ request: Request? = nil
) async throws -> Response {
    var body: [UInt8] = []
    if let request {
        // An ID token and the JWKS the contract sends along fit well within this; a larger body is
        // refused before it costs more memory.
        guard var collected = try? await request.body.collect(upTo: maximumBodyBytes) else {
            return response(.error(413, "the request body is larger than \(maximumBodyBytes / 1024) KiB"))
        }
        body = collected.readBytes(length: collected.readableBytes) ?? []
    }
    let input = body
    switch await pool.run({ endpoint(input) }) {
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
    let bytes = (try? JSONWriter.encode(answer.body, as: .compact)) ?? Array("{}".utf8)
    var headers: HTTPFields = [.contentType: "application/json", .cacheControl: "no-store"]
    if let retryAfter = answer.headers.first(where: { $0.0 == "Retry-After" })?.1 {
        headers[.retryAfter] = retryAfter
    }
    return Response(
        status: .init(code: answer.status), headers: headers,
        body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
}
