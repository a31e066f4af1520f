import AftEngine
import Foundation
import Testing

/// What storage must show after a crash, by where the crash stopped the commit.
enum CrashOutcome: Sendable, Equatable {
    /// The process died before the commit point, leaving this many of the transaction's versions in storage.
    case beforeCommitPoint(versionsLeft: Int)
    /// The commit record is stored, but the version index is not updated.
    case afterCommitRecord
    /// Everything is stored, but the commit was never acknowledged.
    case afterIndex
    /// The fault never fired, and the commit was acknowledged with exit status 0.
    case acknowledged

    /// The value every reader must see before `aft recover` runs; the index decides visibility.
    var visibleBeforeRecovery: String {
        switch self {
        case .beforeCommitPoint, .afterCommitRecord: "old"
        case .afterIndex, .acknowledged: "new"
        }
    }

    /// The value every reader must see once `aft recover` has run.
    var visibleAfterRecovery: String {
        if case .beforeCommitPoint = self { return "old" }
        return "new"
    }
}

/// A fault armed in one command of a transaction that writes a, b and c.
struct CrashCase: Sendable, CustomTestStringConvertible {
    enum Command: String, Sendable {
        /// `aft put a=new b=new c=new`: one process buffers the writes and commits.
        case oneShotPut = "put"
        /// `aft put -t ID a=new b=new c=new`: stages the writes of a registered transaction.
        case stage = "put -t"
        /// `aft commit ID`: commits the registered transaction.
        case commit = "commit"
    }

    let command: Command
    let fault: String
    let outcome: CrashOutcome

    var testDescription: String { "\(command.rawValue) with \(fault)" }
}

/// Kills `aft` at every fault point of a three-key commit and checks what readers, `aft recover` and `aft gc` see afterwards.
@Suite("crash at each fault point")
struct CrashPointTests {
    static let keys = ["a", "b", "c"]

    // A one-shot put with no write.after fault stores its three versions in one store.put,
    // then the commit record in the second and the index in the third.
    static let oneShotCases: [CrashCase] = [
        CrashCase(command: .oneShotPut, fault: "commit.before-versions=crash", outcome: .beforeCommitPoint(versionsLeft: 0)),
        CrashCase(command: .oneShotPut, fault: "write.after:1=crash", outcome: .beforeCommitPoint(versionsLeft: 1)),
        CrashCase(command: .oneShotPut, fault: "write.after:2=crash", outcome: .beforeCommitPoint(versionsLeft: 2)),
        CrashCase(command: .oneShotPut, fault: "write.after:3=crash", outcome: .beforeCommitPoint(versionsLeft: 3)),
        CrashCase(command: .oneShotPut, fault: "commit.after-record=crash", outcome: .afterCommitRecord),
        CrashCase(command: .oneShotPut, fault: "commit.after-index=crash", outcome: .afterIndex),
        CrashCase(command: .oneShotPut, fault: "store.put=crash#1", outcome: .beforeCommitPoint(versionsLeft: 0)),
        CrashCase(command: .oneShotPut, fault: "store.put=crash#2", outcome: .beforeCommitPoint(versionsLeft: 3)),
        CrashCase(command: .oneShotPut, fault: "store.put=crash#3", outcome: .afterCommitRecord),
        CrashCase(command: .oneShotPut, fault: "store.put=crash#4", outcome: .acknowledged),
    ]

    // Staging one key takes three store.put calls: the record is checked and saved, the
    // version is stored, and the record is saved with the key in its write set. A commit
    // stores the committed record in its first store.put and the index in its second.
    static let registeredCases: [CrashCase] = [
        CrashCase(command: .stage, fault: "write.after:1=crash", outcome: .beforeCommitPoint(versionsLeft: 1)),
        CrashCase(command: .stage, fault: "write.after:2=crash", outcome: .beforeCommitPoint(versionsLeft: 2)),
        CrashCase(command: .stage, fault: "write.after:3=crash", outcome: .beforeCommitPoint(versionsLeft: 3)),
        CrashCase(command: .stage, fault: "store.put=crash#2", outcome: .beforeCommitPoint(versionsLeft: 0)),
        CrashCase(command: .stage, fault: "store.put=crash#3", outcome: .beforeCommitPoint(versionsLeft: 1)),
        CrashCase(command: .stage, fault: "store.put=crash#6", outcome: .beforeCommitPoint(versionsLeft: 2)),
        CrashCase(command: .stage, fault: "store.put=crash#9", outcome: .beforeCommitPoint(versionsLeft: 3)),
        CrashCase(command: .commit, fault: "commit.before-versions=crash", outcome: .beforeCommitPoint(versionsLeft: 3)),
        CrashCase(command: .commit, fault: "commit.after-record=crash", outcome: .afterCommitRecord),
        CrashCase(command: .commit, fault: "commit.after-index=crash", outcome: .afterIndex),
        CrashCase(command: .commit, fault: "store.put=crash#1", outcome: .beforeCommitPoint(versionsLeft: 3)),
        CrashCase(command: .commit, fault: "store.put=crash#2", outcome: .afterCommitRecord),
        CrashCase(command: .commit, fault: "store.put=crash#3", outcome: .acknowledged),
    ]

    @Test(arguments: oneShotCases)
    func oneShotPutCrash(_ crash: CrashCase) throws {
        let sandbox = try Sandbox()
        let seed = try Self.commitSeed(in: sandbox)

        let put = sandbox.aft(["--json", "--fault", crash.fault, "put", "a=new", "b=new", "c=new"])
        let inspector = try StoreInspector(path: sandbox.storePath)
        let crashedVersions = try inspector.versions().filter { $0.id.transaction != seed }
        let written = try inspector.records().filter { $0.id != seed && !$0.writeSet.isEmpty }
        #expect(Set(crashedVersions.map(\.id.transaction)).count <= 1, "versions of more than one new transaction: \(crashedVersions)")

        if crash.outcome == .acknowledged {
            #expect(put.status == 0, "\(put)")
            let acknowledged = try jsonObject(put)
            #expect(acknowledged["status"] as? String == "committed", "\(put)")
            #expect(acknowledged["transaction"] as? String == written.first?.id.hex, "\(put)")
        } else {
            #expect(put.status == killedStatus, "expected death by SIGKILL; \(put)")
            #expect(put.stdout.isEmpty, "a crashed commit must not be acknowledged; \(put)")
        }

        switch crash.outcome {
        case .beforeCommitPoint(let versionsLeft):
            #expect(crashedVersions.count == versionsLeft, "\(crashedVersions)")
            #expect(written.isEmpty, "no record may exist before the commit point: \(written)")
        case .afterCommitRecord:
            let record = try #require(written.first, "the commit record is missing")
            #expect(written.count == 1)
            #expect(record.status == .committed)
            #expect(crashedVersions.count == 3)
            #expect(try inspector.indexedTransactions(of: "a") == [seed], "the index step must not have run")
        case .afterIndex, .acknowledged:
            let record = try #require(written.first, "the commit record is missing")
            #expect(record.status == .committed)
            #expect(try inspector.indexedTransactions(of: "a") == [record.id, seed])
        }
        let newTransaction = written.first?.id
        Self.expectEveryReader(in: sandbox, sees: crash.outcome.visibleBeforeRecovery, "after the crash")

        let expectedRepairs = crash.outcome == .afterCommitRecord ? [newTransaction?.hex].compactMap { $0 } : []
        #expect(try Self.recover(sandbox) == expectedRepairs)
        #expect(try Self.recover(sandbox) == [], "a second recover must find nothing to repair")
        Self.expectEveryReader(in: sandbox, sees: crash.outcome.visibleAfterRecovery, "after aft recover")

        try Self.collectGarbage(sandbox)
        let survivor = crash.outcome.visibleAfterRecovery == "old" ? seed : newTransaction
        try Self.expectOneVersionPerKey(inspector, ownedBy: survivor)
        Self.expectEveryReader(in: sandbox, sees: crash.outcome.visibleAfterRecovery, "after aft gc")
    }

    @Test(arguments: registeredCases)
    func registeredTransactionCrash(_ crash: CrashCase) throws {
        let sandbox = try Sandbox()
        let seed = try Self.commitSeed(in: sandbox)
        let id = try Self.begin(in: sandbox)
        let transaction = try #require(TransactionID(hex: id))
        let inspector = try StoreInspector(path: sandbox.storePath)

        let stageFault = crash.command == .stage ? ["--fault", crash.fault] : []
        let stage = sandbox.aft(stageFault + ["--json", "put", "-t", id, "a=new", "b=new", "c=new"])
        guard crash.command == .commit else {
            try expectStagingCrash(crash, stage, transaction: transaction, seed: seed, sandbox: sandbox, inspector: inspector)
            return
        }
        #expect(stage.status == 0, "\(stage)")

        let commit = sandbox.aft(["--json", "--fault", crash.fault, "commit", id])
        if crash.outcome == .acknowledged {
            #expect(commit.status == 0, "\(commit)")
            #expect(try jsonObject(commit)["status"] as? String == "committed", "\(commit)")
        } else {
            #expect(commit.status == killedStatus, "expected death by SIGKILL; \(commit)")
            #expect(commit.stdout.isEmpty, "a crashed commit must not be acknowledged; \(commit)")
        }
        let record = try #require(try inspector.record(of: transaction))
        switch crash.outcome {
        case .beforeCommitPoint:
            #expect(record.status == .running)
        case .afterCommitRecord:
            #expect(record.status == .committed)
            #expect(try inspector.indexedTransactions(of: "a") == [seed], "the index step must not have run")
        case .afterIndex, .acknowledged:
            #expect(record.status == .committed)
            #expect(try inspector.indexedTransactions(of: "a") == [transaction, seed])
        }
        #expect(try inspector.versions(of: transaction).count == 3)
        Self.expectEveryReader(in: sandbox, sees: crash.outcome.visibleBeforeRecovery, "after the crash")

        #expect(try Self.recover(sandbox) == (crash.outcome == .afterCommitRecord ? [id] : []))
        Self.expectEveryReader(in: sandbox, sees: crash.outcome.visibleAfterRecovery, "after aft recover")
        try Self.collectGarbage(sandbox)
        #expect(try inspector.versions(of: transaction).count == 3, "gc must keep the versions of a running or committed transaction")
        Self.expectEveryReader(in: sandbox, sees: crash.outcome.visibleAfterRecovery, "after aft gc")

        // A client that got no acknowledgement commits again: that commits a transaction
        // the crash stopped before its commit point, and reports the first outcome otherwise.
        let retry = sandbox.aft(["--json", "commit", id])
        #expect(retry.status == 0, "\(retry)")
        let retryStatus = try jsonObject(retry)["status"] as? String
        #expect(retryStatus == (crash.outcome.visibleAfterRecovery == "old" ? "committed" : "already-committed"), "\(retry)")
        Self.expectEveryReader(in: sandbox, sees: "new", "after the retried commit")
        try Self.collectGarbage(sandbox)
        try Self.expectOneVersionPerKey(inspector, ownedBy: transaction)
    }

    /// After a crash while staging: nothing is visible, gc keeps the staged versions while the
    /// transaction may still commit, and after an abort gc removes every one of them.
    private func expectStagingCrash(
        _ crash: CrashCase, _ stage: CommandResult, transaction: TransactionID, seed: TransactionID, sandbox: Sandbox,
        inspector: StoreInspector
    ) throws {
        guard case .beforeCommitPoint(let versionsLeft) = crash.outcome else {
            Issue.record("a crash while staging is always before the commit point")
            return
        }
        #expect(stage.status == killedStatus, "expected death by SIGKILL; \(stage)")
        #expect(try inspector.versions(of: transaction).count == versionsLeft)
        #expect(try inspector.record(of: transaction)?.status == .running)
        Self.expectEveryReader(in: sandbox, sees: "old", "after the crash")

        #expect(try Self.recover(sandbox) == [])
        try Self.collectGarbage(sandbox)
        #expect(try inspector.versions(of: transaction).count == versionsLeft, "gc must keep the staged versions of a running transaction")
        Self.expectEveryReader(in: sandbox, sees: "old", "after aft recover and aft gc")

        // aft run aborts an attempt whose command died; a script does the same.
        let abort = sandbox.aft("abort", transaction.hex)
        #expect(abort.status == 0, "\(abort)")
        try Self.collectGarbage(sandbox)
        #expect(try inspector.versions(of: transaction).isEmpty, "gc must remove every staged version of an aborted transaction")
        try Self.expectOneVersionPerKey(inspector, ownedBy: seed)
        Self.expectEveryReader(in: sandbox, sees: "old", "after aft abort and aft gc")
    }

    /// A put that crashes after staging b but before recording it in the transaction's
    /// write set leaves b's version behind, and committing the transaction anyway commits a alone.
    @Test func strayStagedVersionIsCollected() throws {
        let sandbox = try Sandbox()
        let seed = try Self.commitSeed(in: sandbox)
        let id = try Self.begin(in: sandbox)
        let transaction = try #require(TransactionID(hex: id))
        let inspector = try StoreInspector(path: sandbox.storePath)

        let stage = sandbox.aft(["--fault", "write.after:2=crash", "put", "-t", id, "a=new", "b=new", "c=new"])
        #expect(stage.status == killedStatus, "expected death by SIGKILL; \(stage)")
        let commit = sandbox.aft(["--json", "commit", id])
        #expect(commit.status == 0, "\(commit)")
        #expect(try jsonObject(commit)["keys"] as? [String] == ["a"], "\(commit)")
        #expect(try inspector.versions(of: transaction).map(\.id.key.string) == ["a", "b"])

        try Self.collectGarbage(sandbox)
        #expect(try inspector.versions(of: transaction).map(\.id.key.string) == ["a"], "gc must remove the version of b, which no reader can reach")
        #expect(try inspector.versions(of: seed).map(\.id.key.string) == ["a", "b", "c"], "the seed is not superseded on b and c, so it stays whole")
        let read = sandbox.readAtOnce(Self.keys)
        #expect(read.entries.map(\.value) == ["new", "old", "old"], "\(read)")
    }

    @Test
    func retriedCommitAfterCommitPointIsVisible() throws {
        let sandbox = try Sandbox()
        _ = try Self.commitSeed(in: sandbox)
        let id = try Self.begin(in: sandbox)
        #expect(sandbox.aft("put", "-t", id, "a=new", "b=new", "c=new").status == 0)
        let crashed = sandbox.aft("--fault", "commit.after-record=crash", "commit", id)
        #expect(crashed.status == killedStatus, "\(crashed)")

        let retry = sandbox.aft(["--json", "commit", id])
        #expect(retry.status == 0, "\(retry)")
        #expect(try jsonObject(retry)["status"] as? String == "already-committed", "\(retry)")
        Self.expectEveryReader(in: sandbox, sees: "new", "after the acknowledged retry")
    }

    // MARK: Steps

    /// Commits a=old b=old c=old and returns the transaction's id.
    static func commitSeed(in sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> TransactionID {
        let seed = sandbox.aft("--json", "put", "a=old", "b=old", "c=old")
        #expect(seed.status == 0, "\(seed)", sourceLocation: sourceLocation)
        let hex = try #require(try jsonObject(seed)["transaction"] as? String, sourceLocation: sourceLocation)
        return try #require(TransactionID(hex: hex), sourceLocation: sourceLocation)
    }

    static func begin(in sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
        let begin = sandbox.aft("begin")
        #expect(begin.status == 0, "\(begin)", sourceLocation: sourceLocation)
        return try #require(begin.outputLines.first, "\(begin)", sourceLocation: sourceLocation)
    }

    /// Runs `aft recover` and returns the ids it repaired.
    static func recover(_ sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws -> [String] {
        let recover = sandbox.aft("--json", "recover")
        #expect(recover.status == 0, "\(recover)", sourceLocation: sourceLocation)
        return try #require(try jsonObject(recover, sourceLocation: sourceLocation)["repaired"] as? [String], "\(recover)", sourceLocation: sourceLocation)
    }

    static func collectGarbage(_ sandbox: Sandbox, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let gc = sandbox.aft("--json", "gc", "--grace", "0s")
        #expect(gc.status == 0, "\(gc)", sourceLocation: sourceLocation)
    }

    /// Checks that storage contains exactly one version of each key, all written by `owner`.
    static func expectOneVersionPerKey(
        _ inspector: StoreInspector, ownedBy owner: TransactionID?, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        let versions = try inspector.versions()
        #expect(try inspector.versionCounts() == ["a": 1, "b": 1, "c": 1], "\(versions)", sourceLocation: sourceLocation)
        #expect(Set(versions.map(\.id.transaction)) == Set([owner].compactMap { $0 }), "\(versions)", sourceLocation: sourceLocation)
    }

    /// Reads a, b and c in every way a reader can and checks that each read saw `expected` on every key.
    ///
    /// The ways: one `aft get` of all three keys in three orders that each put another key
    /// first, one `aft get` per key, and registered transactions that read one key per
    /// process forwards and backwards.
    static func expectEveryReader(
        in sandbox: Sandbox, sees expected: String, _ moment: String, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        var reads: [GroupRead] = []
        for order in [["a", "b", "c"], ["b", "c", "a"], ["c", "a", "b"]] {
            reads.append(sandbox.readAtOnce(order))
        }
        reads.append(sandbox.readOneByOne(keys))
        for order in [["a", "b", "c"], ["c", "b", "a"]] {
            reads.append(sandbox.readInRegisteredTransaction(order))
        }
        for read in reads {
            #expect(read.failure == nil, "\(moment): \(read)", sourceLocation: sourceLocation)
            #expect(read.isUniform, "\(moment): a partial update is visible: \(read)", sourceLocation: sourceLocation)
            #expect(read.distinctValues == [expected], "\(moment): expected \(expected) on every key: \(read)", sourceLocation: sourceLocation)
        }
    }
}
