/// The version of sokuhod and sokuho (`--version`, the start-up log line and `status`): the
/// one place it is kept.
public enum SokuhoVersion {
    public static let current = "0.1.0"
}
