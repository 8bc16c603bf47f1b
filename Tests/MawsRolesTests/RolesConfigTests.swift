import MawsTestSupport
import Testing

@testable import MawsCore
@testable import MawsRoles

/// maws-roles reads `ca_bundle` in [api] and [builder] as maws reads it: an absolute path to a
/// readable file, used after `AWS_CA_BUNDLE`.
@Suite struct RolesConfigTests {
    let home: TemporaryHome

    init() throws {
        home = try TemporaryHome()
    }

    func api(_ caBundle: String) throws -> String {
        try home.write(
            "roles.ini",
            """
            [api]
            well_known_url = https://idp.example.com/.well-known/openid-configuration
            client_id = c
            group_role_map = /tmp/map.json
            account_aliases = /tmp/aliases.json
            ca_bundle = \(caBundle)

            """)
    }

    @Test func caBundleIsCheckedAndComesAfterTheVariable() throws {
        let bundle = try home.write("ca.pem", "-----BEGIN CERTIFICATE-----\n")
        let config = try APIConfig.load(try api(bundle))
        #expect(config.network(Environment([:])).caBundle == bundle)
        #expect(config.network(Environment([:])).caBundleSource?.hasSuffix("roles.ini:6") == true)
        #expect(config.network(Environment(["AWS_CA_BUNDLE": "/etc/other.pem"])).caBundle == "/etc/other.pem")
        #expect(throws: ConfigError.self) { try APIConfig.load(try api("relative.pem")) }
        #expect(throws: ConfigError.self) { try APIConfig.load(try api(home.path + "/missing.pem")) }
    }
}
