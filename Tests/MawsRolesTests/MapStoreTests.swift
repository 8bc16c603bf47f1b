import Foundation
import MawsCore
import MawsTestSupport
import Testing

@testable import MawsRoles

/// The organisation's documents as files: conditional writes, the shared rebuild marker, the
/// served maps' swap, and the prepared lookup. (The same code against moto's S3:
/// Tests/integration/test_roles_s3.py.)
@Suite struct MapStoreTests {
    let home: TemporaryHome
    let store = MapStore(s3: nil)

    init() throws {
        home = try TemporaryHome()
    }

    func location(_ name: String) -> MapLocation { .file(home.path + "/" + name) }

    @Test func writesAreConditionalOnTheVersionRead() throws {
        let map = location("map.json")
        #expect(try store.read(map) == .missing)
        let first = try store.write(map, Array("{}".utf8), condition: .ifAbsent)
        #expect(throws: MapStoreError.lostRace(map.description)) { try store.write(map, Array("{}".utf8), condition: .ifAbsent) }
        #expect(try store.read(map, ifNoneMatch: first) == .notModified)
        let second = try store.write(map, Array(#"{"a": []}"#.utf8), condition: .ifMatch(first))
        #expect(second != first)
        // A writer that read the first version lost the race: nothing it wrote lands.
        #expect(throws: MapStoreError.lostRace(map.description)) { try store.write(map, Array("[]".utf8), condition: .ifMatch(first)) }
        #expect(try store.read(map) == .object(bytes: Array(#"{"a": []}"#.utf8), etag: second))
    }

    @Test func theRebuildMarkerAllowsOneRebuildPerIntervalAcrossReplicas() throws {
        let marker = RebuildMarker(location: location("map.json.rebuilt-at"), store: store, interval: 300)
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        func claimed(_ claim: RebuildMarker.Claim) -> String? {
            if case .claimed(let tag) = claim { return tag }
            return nil
        }
        #expect(claimed(try marker.claim(at: start, by: "a")) != nil)
        #expect(try marker.claim(at: start.addingTimeInterval(100), by: "b") == .tooSoon(retryAfter: 200))
        let late = try #require(claimed(try marker.claim(at: start.addingTimeInterval(301), by: "b")))
        // A claim whose rebuild failed is given back: the next one need not wait.
        marker.release(late, by: "b")
        #expect(claimed(try marker.claim(at: start.addingTimeInterval(302), by: "c")) != nil)
        // A marker far in the future (a broken clock) does not block rebuilds for good.
        try store.write(marker.location, Array(#"{"rebuilt_at": "2099-01-01T00:00:00Z"}"#.utf8), condition: nil)
        #expect(claimed(try marker.claim(at: start.addingTimeInterval(700), by: "d")) != nil)
    }

    @Test func aBrokenMapNeverReplacesAGoodOne() throws {
        let map = location("map.json")
        let aliases = location("aliases.json")
        try store.write(map, Array(#"{"Team-Ops": ["arn:aws:iam::123456789012:role/Admin"]}"#.utf8), condition: nil)
        try store.write(aliases, Array(#"{"123456789012": ["yoyodyne"]}"#.utf8), condition: nil)
        let maps = ServedMaps(
            groupRoleMap: map, accountAliases: aliases, interval: 1, store: store, diagnostics: Diagnostics(), metrics: Metrics())
        maps.check()
        #expect(maps.current?.number == 1 && maps.status.lastError == nil)

        try store.write(map, Array(#"{"team-ops": "not a list"}"#.utf8), condition: nil)
        maps.check()
        #expect(maps.current?.number == 1)
        #expect(maps.status.lastError?.contains("map.json") == true)
        #expect(maps.current?.lookup.roleIndices(for: ["team-ops"]) == [0])

        try store.write(map, Array(#"{"team-ops": ["arn:aws:iam::123456789012:role/ReadOnly"]}"#.utf8), condition: nil)
        maps.check()
        #expect(maps.current?.number == 2 && maps.status.lastError == nil)
        maps.check()  // Unchanged: no new version.
        #expect(maps.current?.number == 2)
    }

    @Test func theLookupMatchesGroupsWithoutCaseAndPatternsWithWildcards() throws {
        let lookup = RoleLookup(
            groupRoles: [
                "Team-Ops": ["arn:aws:iam::123456789012:role/Admin"],
                "finance-*": ["arn:aws:iam::123456789012:role/Billing", "arn:aws:iam::444444444444:role/Ledger"],
                "q?": ["arn:aws:iam::555555555555:role/Quiz"],
            ],
            aliases: ["123456789012": ["yoyodyne"], "444444444444": ["money"], "999999999999": ["unrelated"]])
        let answer = try JSONParser.parse(lookup.answer(for: ["team-ops", "Finance-EU", "qa", "nobody"]))
        #expect(
            answer
                == .object([
                    "roles": .array(
                        [
                            "arn:aws:iam::123456789012:role/Admin", "arn:aws:iam::123456789012:role/Billing",
                            "arn:aws:iam::444444444444:role/Ledger", "arn:aws:iam::555555555555:role/Quiz",
                        ].map(JSONValue.string)),
                    "aliases": .object(["123456789012": .array([.string("yoyodyne")]), "444444444444": .array([.string("money")])]),
                ]))
        #expect(try JSONParser.parse(lookup.answer(for: [])) == .object(["roles": .array([]), "aliases": .object([:])]))
        #expect(lookup.grantsAnything(to: "TEAM-OPS") && lookup.grantsAnything(to: "finance-x") && !lookup.grantsAnything(to: "qaa"))
    }
}

/// The builder's writes to S3 against a transport that plays another builder: its first
/// conditional write finds the map changed since it was read.
@Suite struct BuilderRaceTests {
    /// S3 objects in memory (ETags counted up), where the first PUT with `If-Match` loses; every
    /// other request goes to the in-memory STS and IAM.
    final class RacingS3: HTTPClient, @unchecked Sendable {
        let aws: InMemoryServices
        var objects: [String: (bytes: [UInt8], etag: String)] = [:]
        var version = 0
        var racesLeft = 1
        var assumeRoles = 0

        init(aws: InMemoryServices) { self.aws = aws }

        func send(_ request: HTTPRequest) throws(HTTPError) -> HTTPResponse {
            let path = request.url.string
            guard path.contains("/maps-bucket/") else {
                if String(decoding: request.body ?? [], as: UTF8.self).contains("Action=AssumeRole&") { assumeRoles += 1 }
                return try aws.send(request)
            }
            func header(_ name: String) -> String? { request.headers.first { $0.name == name }?.value }
            if request.method == .get {
                guard let object = objects[path] else {
                    return HTTPResponse(status: 404, body: Data("<Error><Code>NoSuchKey</Code></Error>".utf8))
                }
                return HTTPResponse(status: 200, headers: ["etag": object.etag], body: Data(object.bytes))
            }
            if let expected = header("If-Match") {
                guard racesLeft == 0, objects[path]?.etag == expected else {
                    racesLeft -= 1
                    version += 1
                    objects[path] = (Array("{}".utf8), "\"other-\(version)\"")  // The other builder's write.
                    return HTTPResponse(status: 412, body: Data("<Error><Code>PreconditionFailed</Code></Error>".utf8))
                }
            }
            if header("If-None-Match") == "*", objects[path] != nil { return HTTPResponse(status: 412) }
            version += 1
            objects[path] = (request.body ?? [], "\"v\(version)\"")
            return HTTPResponse(status: 200, headers: ["etag": "\"v\(version)\""])
        }
    }

    @Test func aLostRaceIsLoggedAndBuiltOnceMoreFromFreshData() throws {
        let transport = RacingS3(aws: try InMemoryServices())
        let environment = Environment([
            "AWS_ENDPOINT_URL_S3": "http://127.0.0.1:9", "AWS_ENDPOINT_URL_STS": InMemoryServices.sts,
            "AWS_ENDPOINT_URL_IAM": InMemoryServices.sts, "AWS_REGION": "us-east-1",
        ])
        let keys = SigV4Signer.Credentials(accessKeyID: "AKIABUILDER000000000", secretAccessKey: "builder-secret")
        var config = BuilderConfig(
            providers: [.init(name: "auth.example.com/", clientID: "client")],
            groupRoleMap: try MapLocation(parsing: "s3://maps-bucket/maps/group-role-map.json"),
            accountAliases: try MapLocation(parsing: "s3://maps-bucket/maps/account-aliases.json"), manualAliases: nil, report: nil,
            parallelism: 1, accounts: [.init(id: "123456789012", readerRole: try RoleARN(parsing: "arn:aws:iam::123456789012:role/reader"))]
        )
        config.organization = nil
        let builder = RoleMapBuilder(
            config: config, api: AWSAccountAPI(environment: environment, http: transport),
            organizations: OrganizationsAPI(environment: environment, http: transport), credentials: { keys },
            store: MapStore(s3: S3Client(environment: environment, http: transport, credentials: { keys })), diagnostics: Diagnostics())

        // The first build creates the maps; the second finds them changed under it once, and builds again.
        _ = try builder.buildAndWrite()
        #expect(transport.assumeRoles == 1)
        transport.objects["http://127.0.0.1:9/maps-bucket/maps/account-aliases.json"] = (Array("{}".utf8), "\"stale\"")
        let (summary, _) = try builder.buildAndWrite()
        #expect(transport.assumeRoles == 3)
        #expect(summary.contains("wrote"))
        let aliases = try #require(transport.objects["http://127.0.0.1:9/maps-bucket/maps/account-aliases.json"])
        #expect(String(decoding: aliases.bytes, as: UTF8.self).contains("yoyodyne"))

        // A second loss in a row is an error, never a silent overwrite.
        transport.racesLeft = 2
        transport.objects["http://127.0.0.1:9/maps-bucket/maps/account-aliases.json"] = (Array("{}".utf8), "\"stale\"")
        #expect(throws: MapStoreError.self) { try builder.buildAndWrite() }
    }
}
