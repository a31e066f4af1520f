// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "aft",
    products: [
        .executable(name: "aft", targets: ["aft"]),
        .library(name: "AftEngine", targets: ["AftEngine"]),
    ],
    targets: [
        // C libraries from Debian's -dev packages; the Makefile and .ci/run install them.
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite"),
        .systemLibrary(name: "CEditLine", path: "Sources/CEditLine"),
        // hiredis's pkg-config file carries a flag SwiftPM rejects, so the module map links it directly.
        .systemLibrary(name: "CHiredis", path: "Sources/CHiredis"),

        // The transaction protocol and the store contract, with no C imports.
        .target(name: "AftEngine"),
        // Store backends: the only code that touches SQLite or Redis.
        .target(name: "AftStores", dependencies: ["AftEngine", "CSQLite", "CHiredis"]),
        // Argument parsing, commands, output and the shell.
        .target(name: "AftCLI", dependencies: ["AftEngine", "AftStores", "CEditLine"]),
        .executableTarget(name: "aft", dependencies: ["AftCLI"]),

        .testTarget(name: "AftEngineTests", dependencies: ["AftEngine", "AftStores"]),
        .testTarget(name: "AftStoresTests", dependencies: ["AftEngine", "AftStores"]),
        .testTarget(name: "AftCLITests", dependencies: ["AftCLI", "AftEngine"]),
        .testTarget(name: "EndToEndTests", dependencies: ["AftEngine"]),
        // Drives the built aft shell through a pseudo-terminal and through pipes.
        .testTarget(name: "ShellTests", dependencies: ["AftEngine"]),
        // Kills real aft processes at fault points; Support links to EndToEndTests/Support to share its helpers,
        // and AftStores opens the SQLite file directly to inspect what a crash left.
        .testTarget(name: "CrashSafetyTests", dependencies: ["AftEngine", "AftStores"]),
    ],
    swiftLanguageModes: [.v6]
)
