import Testing

@testable import MawsCore

#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

@Suite struct WebRolePageTests {
    private let menu = RoleMenu(
        directory: RoleDirectory(
            roles: [
                try! RoleARN(parsing: "arn:aws:iam::123456789012:role/Admin"),
                try! RoleARN(parsing: "arn:aws:iam::210987654321:role/ops/Deploy"),
            ],
            aliases: ["123456789012": ["<img src=x onerror=alert(1)>\"'&"]]))

    @Test func aliasesAndRolesAreTextNotMarkup() {
        let page = WebRolePage.picker(menu, token: "t\"ok", action: BrowserTab.path)
        #expect(page.contains("&lt;img src=x onerror=alert(1)&gt;&quot;&#39;&amp; (123456789012)"))
        #expect(!page.contains("<img"))
        #expect(page.contains("value=\"t&quot;ok\""))
        #expect(page.contains(">ops/Deploy</button>"))
        // Accounts without an alias come after those with one, each in its own section.
        let sections = page.components(separatedBy: "<section class=\"account\">").dropFirst().map { $0.prefix(40) }
        #expect(sections.count == 2)
        #expect(sections.last?.hasPrefix("<h2>210987654321</h2>") == true)
    }

    @Test func theOnlyScriptAndStyleAreTheHashedOnes() throws {
        let policy = WebRolePage.contentSecurityPolicy
        let scriptHash = "sha256-" + Data(try SHA256.hash(Array(WebRolePage.script.utf8))).base64EncodedString()
        let styleHash = "sha256-" + Data(try SHA256.hash(Array(WebRolePage.style.utf8))).base64EncodedString()
        #expect(policy.contains("script-src '\(scriptHash)'"))
        #expect(policy.contains("style-src '\(styleHash)'"))
        #expect(policy.hasPrefix("default-src 'none';"))
        #expect(!policy.contains("unsafe"))
        let plain = RoleMenu(directory: RoleDirectory(roles: menu.items.map(\.role), aliases: [:]))
        let page = WebRolePage.picker(plain, token: "t", action: BrowserTab.path)
        #expect(page.contains("<script>\(WebRolePage.script)</script>"))
        #expect(page.components(separatedBy: "<script").count == 2)
        #expect(page.firstMatch(of: /\son[a-z]+=/) == nil, "no inline event handler attribute")
    }

    @Test func onlyTheLoopbackHostOfThisPortIsServed() {
        #expect(BrowserTab.isLoopbackHost("localhost:10800", port: 10800))
        #expect(BrowserTab.isLoopbackHost("127.0.0.1:10800", port: 10800))
        #expect(BrowserTab.isLoopbackHost("[::1]:10800", port: 10800))
        #expect(!BrowserTab.isLoopbackHost("localhost:10801", port: 10800))
        #expect(!BrowserTab.isLoopbackHost("attacker.example:10800", port: 10800))
        #expect(!BrowserTab.isLoopbackHost(nil, port: 10800))
    }
}
