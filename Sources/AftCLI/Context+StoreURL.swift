import AftStores

extension Context {
    /// Returns the store URL as the user gave it, password included, for child processes
    /// that must open the same store. `Store.location` hides the password, so it cannot serve.
    func storeURL() -> String {
        if let url = options.store { return url }
        if let configured = environment["AFT_STORE"], !configured.isEmpty { return configured }
        return "sqlite:" + StoreLocation.defaultSQLitePath(environment: environment)
    }
}
