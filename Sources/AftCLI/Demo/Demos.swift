import AftEngine

/// The guided demos, in the order `aft demo` lists them.
enum Demos {
    static let all: [DemoScript] = [crash, retry, fractured, lostUpdate, writeSkew]

    static let crash = DemoScript(
        name: "crash",
        summary: "A function crashes between two writes: plain storage shows half a transfer, aft shows none."
    ) { stage throws(AftError) in
        let names = ["alice", "bob"]
        for mode in ConsistencyModes.all {
            stage.scene("A transfer of 30 from alice to bob crashes half-way (\(mode.name))")
            try stage.seed([("alice", "100"), ("bob", "50")], mode: mode)
            stage.show("alice=100 bob=50", "total 150")

            // The node dies once the transfer's second value reaches storage, before anything else happens.
            let function = try stage.node("function", faults: "write.after:2=crash")
            let transfer = function.begin(mode: mode)
            do throws(AftError) {
                try transfer.put("alice", "70")
                stage.show("put alice=70")
                try transfer.put("bob", "80")
                stage.show("put bob=80")
                try transfer.commit()
            } catch {
                stage.show("the function's node crashed once its second value reached storage")
            }
            stage.pause()
            let seen = try stage.snapshot(names, on: try stage.node("reader"), mode: mode)
            let total = (Int(seen["alice"] ?? "") ?? 0) + (Int(seen["bob"] ?? "") ?? 0)
            stage.show("a reader reads alice and bob", "\(stage.format(seen, names)), total \(total)")
            if total == 150 {
                stage.outcome("\(mode.name): the reader saw no part of the crashed transfer (total 150)")
            } else {
                stage.outcome("\(mode.name): the reader saw a partial update (total \(total), not 150)")
            }
            stage.pause()
        }
        stage.say("Under lww every write is visible the moment it is stored, so the crash left alice debited and bob never credited. Under read-atomic the writes become visible only at the commit record, which the crashed function never wrote.")
    }

    static let retry = DemoScript(
        name: "retry",
        summary: "A platform retries a request whose first attempt did commit: it applies twice, unless an idempotency key names it."
    ) { stage throws(AftError) in
        stage.scene("Retrying without an idempotency key")
        let node = try stage.node("function")
        let setup = node.begin()
        try setup.put("orders", "0")
        try setup.commit()
        for attempt in 1...2 {
            let transaction = node.begin()
            let count = Int(try transaction.getText("orders")) ?? 0
            try transaction.put("orders", String(count + 1))
            try transaction.commit()
            stage.show("attempt \(attempt): orders \(count) → \(count + 1), committed" + (attempt == 1 ? "; the reply is lost, so the platform retries" : ""))
        }
        let once = try stage.snapshot(["orders"], on: node)["orders"] ?? "?"
        stage.outcome("without --id: one request placed \(once) orders")
        stage.pause()

        stage.scene("Retrying with an idempotency key (aft run --id order-42)")
        let reset = node.begin()
        try reset.put("orders", "0")
        try reset.commit()
        for attempt in 1...2 {
            switch try node.beginRequest(idempotencyKey: "order-42") {
            case .alreadyCommitted(let outcome):
                stage.show("attempt \(attempt): request order-42 already committed as \(outcome.transaction.short); not applied again")
            case .run(let transaction):
                let count = Int(try transaction.getText("orders")) ?? 0
                try transaction.put("orders", String(count + 1))
                try transaction.commit()
                stage.show("attempt \(attempt): orders \(count) → \(count + 1), committed as \(transaction.id.short); the reply is lost")
            }
        }
        let keyed = try stage.snapshot(["orders"], on: node)["orders"] ?? "?"
        stage.outcome("with --id: one request placed \(keyed) order")
        stage.say("The transaction id derives from the idempotency key, so the retry finds the first attempt's commit record and stops.")
    }

    static let fractured = DemoScript(
        name: "fractured",
        summary: "A reader reads x, a writer commits x and y together, the reader reads y: does it see half of the writer?"
    ) { stage throws(AftError) in
        for mode in ConsistencyModes.all {
            stage.scene("Fractured read (\(mode.name))")
            try stage.seed([("x", "old"), ("y", "old")], mode: mode)

            let reader = try stage.node("reader").begin(mode: mode)
            stage.show("reader: get x", try reader.getText("x"))
            let writer = try stage.node("writer").begin(mode: mode)
            try writer.put("x", "new")
            try writer.put("y", "new")
            try writer.commit()
            stage.show("writer: put x=new y=new, commit")
            let y = try reader.getText("y")
            stage.show("reader: get y", y)
            try reader.commit()
            if y == "new" {
                stage.outcome("\(mode.name): fractured read: the reader saw x=old but y=new, half of the writer")
            } else {
                stage.outcome("\(mode.name): no fractured read: the reader saw x=old and y=old, all before the writer")
            }
            stage.pause()
        }
        stage.say("read-atomic skipped y@writer because the writer also wrote x, which the reader had already read at an older version.")
    }

    static let lostUpdate = DemoScript(
        name: "lost-update",
        summary: "Two read-modify-write transactions on one counter: one update is lost in both modes, because read atomic is not serializable."
    ) { stage throws(AftError) in
        for mode in ConsistencyModes.all {
            stage.scene("Lost update (\(mode.name))")
            try stage.seed([("counter", "10")], mode: mode)
            let first = try stage.node("first").begin(mode: mode)
            let second = try stage.node("second").begin(mode: mode)
            stage.show("first: get counter", try first.getText("counter"))
            stage.show("second: get counter", try second.getText("counter"))
            try first.put("counter", "11")
            try second.put("counter", "11")
            try first.commit()
            try second.commit()
            stage.show("both put counter=11 and commit")
            let final = try stage.snapshot(["counter"], on: try stage.node("reader"), mode: mode)["counter"] ?? "?"
            stage.outcome("\(mode.name): counter=\(final) after two increments: an update was lost")
            stage.pause()
        }
        stage.say("Read atomic keeps readers from seeing half a transaction; it does not order concurrent writers. Use a serializable database where increments must not be lost.")
    }

    static let writeSkew = DemoScript(
        name: "write-skew",
        summary: "Two doctors each check that the other is on call, then go off call: both leave, in both modes."
    ) { stage throws(AftError) in
        let names = ["alice", "bob"]
        for mode in ConsistencyModes.all {
            stage.scene("Write skew (\(mode.name))")
            try stage.seed([("alice", "on-call"), ("bob", "on-call")], mode: mode)
            let first = try stage.node("alice's phone").begin(mode: mode)
            let second = try stage.node("bob's phone").begin(mode: mode)
            stage.show("alice reads bob", try first.getText("bob"))
            stage.show("bob reads alice", try second.getText("alice"))
            try first.put("alice", "off")
            try second.put("bob", "off")
            try first.commit()
            try second.commit()
            stage.show("each goes off call and commits")
            let final = try stage.snapshot(names, on: try stage.node("reader"), mode: mode)
            stage.outcome("\(mode.name): \(stage.format(final, names)): nobody is on call, though each checked first")
            stage.pause()
        }
        stage.say("Each transaction kept the rule alone; together they broke it. Read atomic does not prevent write skew.")
    }
}
