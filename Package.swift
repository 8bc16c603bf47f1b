// swift-tools-version:6.0
import PackageDescription

/// How the release binary is linked, for a fast start (see Linker/README.md and bench/instructions):
/// the C++ runtime statically (Linker/static-libstdc++), with lld, which packs the relative
/// relocations (DT_RELR; glibc 2.36, which the Swift runtime needs anyway) and lays out code and
/// data in the order of Linker/maws.order, so that a warm run touches few pages.
let releaseLinkerFlags = [
    "-L", Context.packageDirectory + "/Linker/static-libstdc++",
    "-use-ld=lld",
    "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
    "-Xlinker", "--symbol-ordering-file=" + Context.packageDirectory + "/Linker/maws.order",
    "-Xlinker", "--no-warn-symbol-ordering",
]

let package = Package(
    name: "maws",
    products: [
        .executable(name: "maws", targets: ["maws"]),
        .executable(name: "maws-roles", targets: ["maws-roles"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // Only the organisation's roles API server uses it; the maws CLI does not link it.
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        // Headers only: libcurl and libcrypto are opened with dlopen on first use, never linked,
        // so a run that needs neither (cached credentials) does not pay for mapping them.
        .systemLibrary(name: "CCurl", path: "Sources/CCurl"),
        .systemLibrary(name: "COpenSSL", path: "Sources/COpenSSL"),
        .target(
            name: "MawsCore",
            dependencies: ["CCurl", "COpenSSL"],
            exclude: ["README.md"]
        ),
        .executableTarget(
            name: "maws",
            dependencies: [
                "MawsCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            linkerSettings: [.unsafeFlags(releaseLinkerFlags, .when(platforms: [.linux], configuration: .release))]
        ),
        // The organisation side: the group-role map builder and the ID-token-for-roles API.
        .target(
            name: "MawsRoles",
            dependencies: ["MawsCore"]
        ),
        .executableTarget(
            name: "maws-roles",
            dependencies: [
                "MawsRoles",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]
        ),
        // Fuzzing (`make fuzz`, corpora in Tests/Fuzz): the targets, shared by the driver and the
        // corpus replay test, and the driver, which is libFuzzer's in a build with
        // `-sanitize=fuzzer -DMAWS_FUZZER` and replays inputs otherwise. Debug builds only: the
        // targets reach MawsCore's internals with @testable import (a release build leaves them empty).
        .systemLibrary(name: "CLibFuzzer", path: "Sources/CLibFuzzer"),
        .target(
            name: "MawsFuzz",
            dependencies: ["MawsCore"]
        ),
        .executableTarget(
            name: "maws-fuzz",
            dependencies: ["MawsCore", "MawsFuzz", "CLibFuzzer"]
        ),
        // What the test targets share: an RSA key that signs like an IdP, JWT builders, and the
        // services maws talks to, in memory behind the HTTPClient seam.
        .target(
            name: "MawsTestSupport",
            dependencies: ["MawsCore", "COpenSSL"],
            path: "Tests/Support"
        ),
        .testTarget(
            name: "MawsCoreTests",
            dependencies: ["MawsCore", "MawsTestSupport"]
        ),
        // The maws executable's own command-line reading (the hot-path scanner against
        // swift-argument-parser).
        .testTarget(
            name: "MawsCLITests",
            dependencies: ["maws"]
        ),
        .testTarget(
            name: "MawsRolesTests",
            dependencies: ["MawsRoles", "MawsTestSupport"]
        ),
        .testTarget(
            name: "MawsFuzzTests",
            dependencies: ["MawsFuzz"]
        ),
    ]
)
