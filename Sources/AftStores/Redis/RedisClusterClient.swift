import AftEngine
import Glibc

/// A client for Redis Cluster: it routes each command to the primary that serves
/// its key's hash slot, pipelines per node, and follows MOVED and ASK redirects.
///
/// The slot table comes from CLUSTER SLOTS when the client opens, again after every
/// MOVED redirect, and on the next call after a node failed.
final class RedisClusterClient: RedisClient {
    /// Redirect rounds one batch may take before it fails; a stable cluster needs at most two.
    static let maximumRedirectRounds = 5
    /// Retries of a command that got a TRYAGAIN reply, 20 ms apart.
    static let maximumTryAgainRetries = 50

    private let seeds: [RedisAddress]
    private let handshake: RedisHandshake
    private var connections: [RedisAddress: RedisConnection] = [:]
    private var slots = RedisSlotTable()
    private var slotsAreStale = true

    /// Counts of redirects followed and slot table refreshes, for tests and diagnostics.
    private(set) var movedRedirects = 0
    private(set) var askRedirects = 0
    private(set) var slotTableRefreshes = 0

    /// Loads the slot table from the first seed that accepts a connection.
    init(seeds: [RedisAddress], handshake: RedisHandshake) throws(AftError) {
        self.seeds = seeds
        self.handshake = handshake
        try refreshSlots()
    }

    // MARK: Running commands

    func run(_ commands: [RedisCommand]) throws(AftError) -> [RedisReply] {
        guard !commands.isEmpty else { return [] }
        if slotsAreStale { try refreshSlots() }

        var replies = [(reply: RedisReply, node: RedisAddress)?](repeating: nil, count: commands.count)
        var pending = commands.indices.map { Delivery(index: $0, node: nil, asking: false) }
        var redirectRounds = 0
        var tryAgainRounds = 0
        while !pending.isEmpty {
            let allowTryAgain = tryAgainRounds < RedisClusterClient.maximumTryAgainRetries
            let round = try deliverRound(pending, of: commands, into: &replies, allowTryAgain: allowTryAgain)
            if !round.moved.isEmpty {
                try refreshAfterMoved(round.moved)
            }
            if round.mustWait {
                tryAgainRounds += 1
                usleep(20_000)
            } else if !round.next.isEmpty {
                redirectRounds += 1
                guard redirectRounds <= RedisClusterClient.maximumRedirectRounds else {
                    throw AftError(.storeIO, "Redis Cluster kept redirecting \(commands[round.next[0].index].name) after \(RedisClusterClient.maximumRedirectRounds) rounds, as during a resharding; retry the command")
                }
            }
            pending = round.next
        }

        var result: [RedisReply] = []
        result.reserveCapacity(commands.count)
        for (command, answer) in zip(commands, replies) {
            guard let answer else {
                throw AftError(.storeIO, "Redis Cluster sent no reply to \(command.name); retry the command")
            }
            if case .error(let message) = answer.reply {
                throw RedisServerError.aftError(message, command: command.name, address: answer.node)
            }
            result.append(answer.reply)
        }
        return result
    }

    /// Delivers the pending commands once and stores each final reply in `replies`.
    /// Returns the commands to send again: to the new owner after MOVED, to the named
    /// node after ASK, or to the same node after TRYAGAIN.
    private func deliverRound(
        _ pending: [Delivery], of commands: [RedisCommand],
        into replies: inout [(reply: RedisReply, node: RedisAddress)?], allowTryAgain: Bool
    ) throws(AftError) -> (next: [Delivery], moved: [RedisRedirect], mustWait: Bool) {
        var next: [Delivery] = []
        var moved: [RedisRedirect] = []
        var mustWait = false
        for (delivery, reply, node) in try deliver(pending, of: commands) {
            guard case .error(let message) = reply else {
                replies[delivery.index] = (reply, node)
                continue
            }
            // A script on two keys of a slot that is migrating, with one key moved
            // and one not, gets TRYAGAIN until the migration moves the other.
            if message.hasPrefix("TRYAGAIN") && allowTryAgain {
                mustWait = true
                next.append(delivery)
                continue
            }
            guard let redirect = RedisRedirect(message, from: node) else {
                replies[delivery.index] = (reply, node)
                continue
            }
            switch redirect.kind {
            case .moved:
                movedRedirects += 1
                moved.append(redirect)
                next.append(Delivery(index: delivery.index, node: nil, asking: false))
            case .ask:
                askRedirects += 1
                next.append(Delivery(index: delivery.index, node: redirect.address, asking: true))
            }
        }
        return (next, moved, mustWait)
    }

    /// Runs the steps one at a time, because nodes of a cluster do not order their commands among each other.
    func run(steps: [[RedisCommand]]) throws(AftError) -> [[RedisReply]] {
        var result: [[RedisReply]] = []
        for step in steps {
            result.append(try run(step))
        }
        return result
    }

    /// Returns the node that the slot table names for `slot`.
    func slotOwner(of slot: Int) -> RedisAddress? {
        slots.owner(of: slot)
    }

    func primaryConnections() throws(AftError) -> [RedisConnection] {
        if slotsAreStale { try refreshSlots() }
        var result: [RedisConnection] = []
        for address in slots.primaries {
            result.append(try connection(to: address))
        }
        return result
    }

    // MARK: Delivery

    /// One command of a batch on its way to a node: the slot owner when `node` is nil,
    /// else the node an ASK redirect named.
    private struct Delivery {
        var index: Int
        var node: RedisAddress?
        var asking: Bool
    }

    /// Sends each node its share of the batch in one pipeline, first to every node and
    /// then reading from every node, and returns each command's reply with the node that sent it.
    private func deliver(_ deliveries: [Delivery], of commands: [RedisCommand]) throws(AftError) -> [(Delivery, RedisReply, RedisAddress)] {
        var groups: [RedisAddress: [Delivery]] = [:]
        var order: [RedisAddress] = []
        for delivery in deliveries {
            let node: RedisAddress
            if let asked = delivery.node {
                node = asked
            } else {
                node = try owner(of: commands[delivery.index])
            }
            if groups[node] == nil { order.append(node) }
            groups[node, default: []].append(delivery)
        }

        // Every connection is open before anything is sent, so that a failure here
        // leaves no node with unread replies.
        var pipelines: [(node: RedisAddress, connection: RedisConnection, commands: [RedisCommand])] = []
        for node in order {
            var pipeline: [RedisCommand] = []
            for delivery in groups[node] ?? [] {
                // ASKING lets the importing node run the next command for a slot it does not own yet.
                if delivery.asking { pipeline.append(RedisCommand("ASKING", key: nil)) }
                pipeline.append(commands[delivery.index])
            }
            pipelines.append((node, try connection(to: node), pipeline))
        }

        var sent: [Bool] = []
        for pipeline in pipelines {
            sent.append((try? pipeline.connection.send(pipeline.commands)) != nil)
        }

        // Every node's replies are read even after one node failed, so that no
        // connection is left holding replies that belong to this batch.
        var results: [(Delivery, RedisReply, RedisAddress)] = []
        var firstFailure: AftError?
        for (pipeline, wasSent) in zip(pipelines, sent) {
            let replies: [RedisReply]
            if wasSent, let received = try? pipeline.connection.receive(pipeline.commands.count) {
                replies = received
            } else {
                do {
                    replies = try resend(pipeline.commands, on: pipeline.connection)
                } catch {
                    firstFailure = firstFailure ?? error
                    continue
                }
            }
            var position = 0
            for delivery in groups[pipeline.node] ?? [] {
                // The reply to ASKING is only OK and is skipped.
                if delivery.asking { position += 1 }
                results.append((delivery, replies[position], pipeline.node))
                position += 1
            }
        }
        if let firstFailure { throw firstFailure }
        return results
    }

    /// Reconnects once to a node whose link broke and sends its pipeline again.
    /// When that fails too, the slot table is reloaded on the next call, in case the node failed over.
    private func resend(_ pipeline: [RedisCommand], on connection: RedisConnection) throws(AftError) -> [RedisReply] {
        do {
            try connection.reconnect()
            try connection.send(pipeline)
            return try connection.receive(pipeline.count)
        } catch {
            slotsAreStale = true
            throw error
        }
    }

    private func owner(of command: RedisCommand) throws(AftError) -> RedisAddress {
        guard let key = command.routingKey else {
            guard let first = slots.primaries.first else { throw noNodes() }
            return first
        }
        let slot = RedisHashSlot.slot(of: key)
        guard let owner = slots.owner(of: slot) else {
            slotsAreStale = true
            throw AftError(.unreachable, "no node of the Redis cluster at \(seedList) serves hash slot \(slot); check CLUSTER INFO and assign every slot")
        }
        return owner
    }

    private func connection(to address: RedisAddress) throws(AftError) -> RedisConnection {
        if let existing = connections[address] { return existing }
        do {
            let opened = try RedisConnection(address: address, handshake: handshake)
            connections[address] = opened
            return opened
        } catch {
            slotsAreStale = true
            throw error
        }
    }

    // MARK: Slot table

    /// Reloads the slot table, then applies the redirects, which the nodes that sent
    /// them know better than a node whose view of the cluster may lag behind.
    private func refreshAfterMoved(_ redirects: [RedisRedirect]) throws(AftError) {
        do {
            try refreshSlots()
        } catch where error.kind == .unreachable {
            // The redirects alone are enough to retry this batch; the next call reloads the table.
            slotsAreStale = true
        }
        for redirect in redirects {
            slots.assign(redirect.slot, to: redirect.address)
        }
    }

    /// Loads the slot table from the first node that replies to CLUSTER SLOTS: a known
    /// primary, else one of the seeds in the store URL.
    private func refreshSlots() throws(AftError) {
        var candidates = slots.primaries
        for seed in seeds where !candidates.contains(seed) {
            candidates.append(seed)
        }

        var failures: [String] = []
        for address in candidates {
            let reply: RedisReply
            do {
                reply = try connection(to: address).run([RedisCommand("CLUSTER", key: nil, "SLOTS")])[0]
            } catch where error.kind == .unreachable {
                failures.append(error.message)
                continue
            }
            if case .error(let message) = reply {
                if message.contains("cluster support disabled") {
                    throw AftError(.usage, "Redis at \(address) is not a cluster node (cluster support is disabled); use a redis:// store URL for a single server")
                }
                throw RedisServerError.aftError(message, command: "CLUSTER SLOTS", address: address)
            }
            let table = try RedisSlotTable(parsing: reply, from: address)
            guard !table.isEmpty else {
                throw AftError(.unreachable, "the Redis cluster at \(address) has no slots assigned; create it with redis-cli --cluster create")
            }
            slots = table
            slotsAreStale = false
            slotTableRefreshes += 1
            return
        }
        throw AftError(.unreachable, "cannot reach any node of the Redis cluster at \(seedList): \(failures.last ?? "no node given"); check that the nodes run and that the store URL names them")
    }

    private var seedList: String {
        seeds.map(\.description).joined(separator: ",")
    }

    private func noNodes() -> AftError {
        slotsAreStale = true
        return AftError(.unreachable, "the Redis cluster at \(seedList) has no primary nodes; check CLUSTER INFO")
    }
}
