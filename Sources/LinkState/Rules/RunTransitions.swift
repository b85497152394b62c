/// Flower's run-status rules (`is_valid_transition`, `has_valid_sub_status`; protocol §2.3).
public enum RunTransitions {
    public static let completed = "completed"
    public static let failed = "failed"
    public static let stopped = "stopped"

    /// True if a run in `from` may move to `to` with `subStatus`.
    ///
    /// pending → starting, starting → running, running → finished (completed/failed/stopped),
    /// pending|starting → finished (failed/stopped only). A non-finished target needs `""`.
    public static func isAllowed(from: RunPhase, to: RunPhase, subStatus: String) -> Bool {
        switch to {
        case .pending:
            return false
        case .starting, .running:
            guard subStatus.isEmpty else { return false }
            return (from == .pending && to == .starting) || (from == .starting && to == .running)
        case .finished:
            switch from {
            case .running: return [completed, failed, stopped].contains(subStatus)
            case .pending, .starting: return [failed, stopped].contains(subStatus)
            case .finished: return false
            }
        }
    }
}
