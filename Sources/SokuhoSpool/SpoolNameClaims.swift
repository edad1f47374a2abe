import Synchronization

/// Names in `accepted/` and `rejected/` chosen for files still being written there.
///
/// Several files are taken at once, each finding a free name (`SpoolFiles.freeName`) before its
/// copy is in place: without claims, two could pick the same free name and the second rename
/// would replace the first file. A name is claimed from the moment it is chosen until its file
/// is in place (or the attempt failed); a claimed name is never chosen again meanwhile. Names
/// are claimed by full path, so one instance may serve several directories.
final class SpoolNameClaims: Sendable {
    private let claimed = Mutex<Set<String>>([])

    init() {}

    /// `name`, or `name` with a counter before its extension, that neither an entry of
    /// `directory` nor a current claim has; claimed until `release(in:_:)`.
    func claim(in directory: String, for name: String) -> String {
        claimed.withLock { claimed in
            let chosen = SpoolFiles.freeName(in: directory, for: name) { claimed.contains(directory + "/" + $0) }
            claimed.insert(directory + "/" + chosen)
            return chosen
        }
    }

    /// Ends the claim on `name` in `directory` (its file is in place, or was not written).
    func release(in directory: String, _ name: String) {
        _ = claimed.withLock { $0.remove(directory + "/" + name) }
    }

    /// How many names are claimed now (for tests).
    var count: Int { claimed.withLock { $0.count } }
}
