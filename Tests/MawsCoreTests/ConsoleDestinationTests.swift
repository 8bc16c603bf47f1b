import Testing

@testable import MawsCore

@Suite struct ConsoleDestinationTests {
    let console = try! EndpointURL(validating: "https://console.aws.amazon.com/")

    @Test func aServiceAPathOrAURLWithTheRegion() throws {
        #expect(try ConsoleDestination(nil, region: nil, base: console).url == "https://console.aws.amazon.com/")
        #expect(try ConsoleDestination("s3", region: nil, base: console).url == "https://console.aws.amazon.com/s3/home")
        #expect(
            try ConsoleDestination("/ec2/home", region: "eu-west-1", base: console).url
                == "https://console.aws.amazon.com/ec2/home?region=eu-west-1")
        #expect(
            try ConsoleDestination("https://console.amazonaws-us-gov.com/iam/home?x=1", region: "us-gov-west-1", base: console).url
                == "https://console.amazonaws-us-gov.com/iam/home?x=1&region=us-gov-west-1")
        #expect(try ConsoleDestination(nil, region: "us-east-1", base: console).url == "https://console.aws.amazon.com/?region=us-east-1")
    }

    @Test func anythingElseIsAUsageError() {
        #expect(throws: ConsoleDestinationError.self) { try ConsoleDestination("S3 bucket", region: nil, base: console) }
        #expect(throws: ConsoleDestinationError.self) { try ConsoleDestination("http://evil.example/", region: nil, base: console) }
        #expect(throws: ConsoleDestinationError.invalidRegion("Europe")) { try ConsoleDestination("s3", region: "Europe", base: console) }
        #expect(ConsoleDestinationError.invalidRegion("x").exitCode == 2)
    }

    @Test func theOriginOfAURL() {
        #expect(ConsoleDestination.origin(of: "https://signin.aws.amazon.com/federation") == "https://signin.aws.amazon.com")
        #expect(ConsoleDestination.origin(of: "https://127.0.0.1:8443?x") == "https://127.0.0.1:8443")
    }
}
