/// Results of LinkState's conditional transitions. These are ordinary outcomes, not errors:
/// the servicers map each case to Flower's status and detail string.

/// `activateNode(publicKey:heartbeatInterval:)`.
public enum ActivateNodeOutcome: Sendable, Equatable {
    case activated(nodeID: UInt64)
    /// No node (or only an unregistered one) has this public key ("No SuperNode found with the given
    /// public key.").
    case unknownKey
    /// The node exists but is neither `registered` nor `offline`.
    case notActivatable(nodeID: UInt64)
}

/// `updateRunStatus(...)`.
public enum RunStatusUpdateOutcome: Sendable, Equatable {
    case updated
    case unknownRun
    /// The run was already finished ("Run is finished.").
    case alreadyFinished
    /// Not an allowed transition (Flower ignores it silently).
    case invalidTransition
}

/// `stopRun(runID:flwrAid:)`.
public enum StopRunOutcome: Sendable, Equatable {
    case stopped
    case notFound
    /// The caller's account does not own the run (or the run has an empty owner).
    case notOwner
    case alreadyFinished
}

/// `startApp(token:)`, i.e. ServerAppIo `PullAppInputs`.
public enum StartAppOutcome: Sendable, Equatable {
    /// The run moved starting → running; here are its record and serialised ServerApp `Context`.
    case started(run: RunRecord, context: [UInt8])
    case invalidToken
    /// Run, FAB context missing or transition refused ("Failed to start run N").
    case failed(runID: UInt64)
}

/// `finishApp(token:runID:context:)`, i.e. ServerAppIo `PushAppOutputs`.
public enum FinishAppOutcome: Sendable, Equatable {
    case stored
    case invalidToken
    /// The run is not running (Flower's "Run is …" PERMISSION_DENIED).
    case runNotRunning(RunRecord)
}

/// A run-scoped operation refused because the run is not `running`, or unknown.
public enum RunGate: Sendable, Equatable {
    case unknownRun
    case notRunning(RunRecord)
}

/// `storeInstructions(runID:_:)`, i.e. ServerAppIo `PushMessages`.
public enum StoreInstructionsOutcome: Sendable, Equatable {
    /// Per input message, its ID or `""` if it was refused (destination not online/offline or not in
    /// the federation); and the union of the accepted trees' `objects_to_push`.
    case stored(messageIDs: [String], objectsToPush: [String])
    case refused(RunGate)
}

/// `storeReply(fromNode:_:)`, i.e. Fleet `PushMessages`.
public enum StoreReplyOutcome: Sendable, Equatable {
    case stored(objectsToPush: [String])
    case refused(RunGate)
    /// The instruction is missing/expired, the sender is not its destination, the TTL rule failed,
    /// or a reply exists already. Nothing was stored.
    case rejected(reason: String)
}

/// One entry of `takeReplies(runID:instructionIDs:)`, in request order. Each instruction that yields
/// an entry is removed with its reply in the same transaction: a reply is handed out once.
public enum ReplyOutcome: Sendable, Equatable {
    /// A real reply from the node.
    case reply(MessageWithTree)
    /// The instruction is unknown or expired (Flower error code 3, MESSAGE_UNAVAILABLE).
    case messageUnavailable(instructionID: String)
    /// The destination node is gone or past `online_until` (code 5, NODE_UNAVAILABLE).
    case nodeUnavailable(instruction: MessageRow)
    /// The reply itself expired (code 4, REPLY_MESSAGE_UNAVAILABLE).
    case replyExpired(instruction: MessageRow)
}

/// `objectOperation` gate results for run-scoped object RPCs.
public enum ObjectAccess<T: Sendable & Equatable>: Sendable, Equatable {
    case done(T)
    case refused(RunGate)
}
