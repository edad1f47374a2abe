import Foundation
import GRDB
import SokuhoCore

extension CaseStore {
    /// Refuses a database that a newer sokuhod migrated, before anything writes to it: the check
    /// opens the file read-only (opening the pool itself touches the file to set up WAL), so a
    /// downgrade leaves the file byte for byte as it was. Other problems are left to the normal
    /// open, which reports them.
    static func refuseNewerSchema(path: String) throws(StoreError) {
        guard FileManager.default.fileExists(atPath: path) else { return }
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        let migrator = Schema.migrator
        let found: Int?
        do {
            let queue = try DatabaseQueue(path: path, configuration: config)
            found = try queue.read { db in try migrator.hasBeenSuperseded(db) ? try migrator.appliedIdentifiers(db).count : nil }
            try queue.close()
        } catch {
            return
        }
        if let found { throw StoreError.newerSchema(path: path, found: found, supported: migrator.migrations.count) }
    }
}
