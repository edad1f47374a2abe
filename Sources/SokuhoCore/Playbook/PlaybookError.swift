/// A problem in a playbook, naming where it is: `path` is the place in the document
/// (`steps[2].after[0]`), which the YAML loader turns into a line and column.
public struct PlaybookError: Error, Sendable, Equatable, CustomStringConvertible {
    public var path: String
    public var message: String
    /// For conditions: the 1-based column within the condition text where the problem is.
    public var offset: Int?

    public init(path: String, _ message: String, offset: Int? = nil) { (self.path, self.message, self.offset) = (path, message, offset) }

    public var description: String { path.isEmpty ? message : "\(path): \(message)" }
}
