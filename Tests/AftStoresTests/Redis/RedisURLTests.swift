import AftEngine
import Testing
@testable import AftStores

/// Parsing of `redis://` and `redis+cluster://` store URLs, without a server.
@Suite struct RedisURLTests {
    @Test func defaultsFillMissingParts() throws {
        let url = try RedisURL(parsing: "redis://cache.example", environment: [:])
        #expect(!url.isCluster)
        #expect(url.addresses == [RedisAddress(host: "cache.example", port: 6379)])
        #expect(url.credentials == nil)
        #expect(url.database == 0)
        #expect(url.prefix == "aft:")
        #expect(url.redacted == "redis://cache.example")
    }

    @Test func fullURLParses() throws {
        let url = try RedisURL(parsing: "redis://alice:s3cret@10.0.0.5:6380/3?prefix=shop%3Aorders:", environment: [:])
        #expect(url.addresses == [RedisAddress(host: "10.0.0.5", port: 6380)])
        #expect(url.credentials == RedisCredentials(user: "alice", password: "s3cret"))
        #expect(url.database == 3)
        #expect(url.prefix == "shop:orders:")
        #expect(url.redacted == "redis://alice:***@10.0.0.5:6380/3?prefix=shop%3Aorders:")
    }

    @Test func passwordWithoutUser() throws {
        let url = try RedisURL(parsing: "redis://:pw@localhost:7000", environment: [:])
        #expect(url.credentials == RedisCredentials(user: nil, password: "pw"))
        #expect(url.redacted == "redis://:***@localhost:7000")
    }

    @Test func percentEncodedPasswordDecodes() throws {
        let url = try RedisURL(parsing: "redis://:p%40ss%2Fw%3Ard%25@localhost:7000", environment: [:])
        #expect(url.credentials?.password == "p@ss/w:rd%")
        #expect(url.redacted == "redis://:***@localhost:7000")
    }

    @Test func environmentSuppliesMissingPassword() throws {
        let environment = ["AFT_REDIS_PASSWORD": "from-env"]
        let withUser = try RedisURL(parsing: "redis://bob@localhost", environment: environment)
        #expect(withUser.credentials == RedisCredentials(user: "bob", password: "from-env"))
        #expect(withUser.redacted == "redis://bob@localhost")
        #expect(!withUser.redacted.contains("from-env"))

        let withoutUser = try RedisURL(parsing: "redis://localhost", environment: environment)
        #expect(withoutUser.credentials == RedisCredentials(user: nil, password: "from-env"))
    }

    @Test func urlPasswordWinsOverEnvironment() throws {
        let url = try RedisURL(parsing: "redis://:in-url@localhost", environment: ["AFT_REDIS_PASSWORD": "from-env"])
        #expect(url.credentials?.password == "in-url")
    }

    @Test func clusterURLListsSeeds() throws {
        let url = try RedisURL(parsing: "redis+cluster://a:7000,b:7001,[::1]:7002?prefix=x:", environment: [:])
        #expect(url.isCluster)
        #expect(url.addresses == [
            RedisAddress(host: "a", port: 7000), RedisAddress(host: "b", port: 7001), RedisAddress(host: "::1", port: 7002),
        ])
        #expect(url.addresses[2].description == "[::1]:7002")
        #expect(url.prefix == "x:")
    }

    @Test func wholeHashTagPrefixIsAccepted() throws {
        #expect(try RedisURL(parsing: "redis://localhost?prefix=%7Bapp%7D:", environment: [:]).prefix == "{app}:")
        #expect(try RedisURL(parsing: "redis://localhost?prefix=a}b:", environment: [:]).prefix == "a}b:")
    }

    @Test(arguments: [
        ("redis://localhost:0", "port"),
        ("redis://localhost:99999", "port"),
        ("redis://localhost:abc", "port"),
        ("redis://:6379", "host is missing"),
        ("redis://a:1,b:2", "redis+cluster://"),
        ("redis://localhost/x", "database"),
        ("redis+cluster://localhost:7000/2", "only database 0"),
        ("redis://localhost?db=2", "unknown parameter"),
        ("redis://localhost?prefix=a&prefix=b", "twice"),
        ("redis://localhost?prefix=%zz", "percent escape"),
        ("redis://localhost?prefix=a%7Bb", "hash tag"),
        ("redis://localhost?prefix=%7B%7D", "hash tag"),
        ("redis://[::1", "brackets"),
    ])
    func malformedURLIsUsageError(url: String, expected: String) {
        #expect {
            _ = try RedisURL(parsing: url, environment: [:])
        } throws: { error in
            guard let error = error as? AftError else { return false }
            return error.kind == .usage && error.message.contains(expected)
        }
    }

    @Test func errorNeverQuotesTextBeforeAnAtSign() {
        let secret = "hunter2"
        for url in ["redis://:\(secret)@localhost:0", "redis://u:\(secret)@host:1,host:2", "redis://u:%zz\(secret)@host"] {
            #expect {
                _ = try RedisURL(parsing: url, environment: [:])
            } throws: { error in
                (error as? AftError)?.kind == .usage && !"\(error)".contains(secret)
            }
        }
    }

    @Test func storeLocationRejectsMalformedRedisURL() throws {
        #expect {
            _ = try StoreLocation(parsing: "redis://localhost:notaport")
        } throws: { error in
            (error as? AftError)?.kind == .usage
        }
        #expect(try StoreLocation(parsing: "redis://localhost:6379") == .redis(url: "redis://localhost:6379"))
        #expect(try StoreLocation(parsing: "redis+cluster://a:1,b:2") == .redisCluster(url: "redis+cluster://a:1,b:2"))
    }
}
