import Testing

@testable import MawsCore

/// The CA bundle and proxies are read as the AWS CLI reads them.
@Suite struct NetworkSettingsTests {
    let sts = try! EndpointURL(validating: "https://sts.eu-west-1.amazonaws.com/")
    let loopback = try! EndpointURL(validating: "http://127.0.0.1:8080/roles")

    @Test func awsCABundleComesBeforeTheConfigKey() {
        let configured = (path: "/etc/ssl/corp.pem", source: "ca_bundle in /c.ini:3")
        let fromConfig = NetworkSettings(environment: Environment([:]), configuredCABundle: configured)
        #expect(fromConfig.caBundle == "/etc/ssl/corp.pem")
        #expect(fromConfig.caBundleSource == "ca_bundle in /c.ini:3")
        let fromVariable = NetworkSettings(
            environment: Environment(["AWS_CA_BUNDLE": "~/ca.pem", "HOME": "/home/a"]), configuredCABundle: configured)
        #expect(fromVariable.caBundle == "/home/a/ca.pem")
        #expect(fromVariable.caBundleSource == "AWS_CA_BUNDLE")
        #expect(NetworkSettings(environment: Environment([:])).caBundle == nil)
    }

    @Test func proxiesBySchemeLowercaseFirst() {
        let settings = NetworkSettings(
            environment: Environment([
                "HTTPS_PROXY": "http://upper:3128", "https_proxy": "http://lower:3128", "HTTP_PROXY": "http://plain:3128",
            ]))
        #expect(settings.proxy(for: sts) == .init(url: "http://lower:3128", variable: "https_proxy"))
        #expect(settings.proxy(for: loopback) == .init(url: "http://plain:3128", variable: "HTTP_PROXY"))
        #expect(NetworkSettings(environment: Environment([:])).proxy(for: sts) == nil)
    }

    @Test func noProxyNamesHostsAndDomains() {
        func bypasses(_ noProxy: String, _ host: String) -> Bool {
            NetworkSettings(environment: Environment(["NO_PROXY": noProxy])).bypassesProxy(host: host)
        }
        #expect(bypasses("amazonaws.com", "sts.eu-west-1.amazonaws.com"))
        #expect(bypasses(" .amazonaws.com , idp.example.com", "sts.amazonaws.com"))
        #expect(bypasses("127.0.0.1,localhost", "127.0.0.1"))
        #expect(bypasses("*", "anything.example"))
        #expect(!bypasses("example.com", "notexample.com"))
        #expect(!bypasses("", "sts.amazonaws.com"))
        let settings = NetworkSettings(environment: Environment(["https_proxy": "http://p:3128", "no_proxy": "amazonaws.com"]))
        #expect(settings.proxy(for: sts) == nil)
    }

    @Test func aProxyIsNamedWithoutItsPassword() {
        #expect(
            NetworkSettings.Proxy(url: "http://user:s3cret@proxy.corp:3128", variable: "https_proxy").redacted == "http://proxy.corp:3128")
        #expect(NetworkSettings.Proxy(url: "proxy.corp:3128", variable: "https_proxy").redacted == "proxy.corp:3128")
        #expect(NetworkSettings.Proxy(url: "user:pw@proxy.corp:3128", variable: "https_proxy").redacted == "proxy.corp:3128")
    }
}
