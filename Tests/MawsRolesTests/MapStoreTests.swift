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
