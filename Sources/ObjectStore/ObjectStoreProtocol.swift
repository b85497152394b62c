/// Content-addressed storage of Flower's "inflatable" objects (Message, RecordDict, ArrayRecord,
/// Array, ArrayChunk, ConfigRecord, MetricRecord), with preregistration and reference counting
/// (protocol §3.4). Implementations: in-memory and SQLite (same file as LinkState).
///
/// ```swift
/// let missing = try await store.preregister(runID: 7, tree: tree)   // what the sender must push
/// _ = try await store.put(objectID: id, content: bytes)              // .stored
/// let o = try await store.pull(objectID: id)                          // found / available / bytes
/// ```
public protocol ObjectStore: Sendable {
    /// Registers every node of `tree` (post-order). Unknown IDs are inserted unavailable with their
    /// child links, incrementing each direct child's `ref_count`; every ID is recorded for `runID`.
    /// Returns the IDs (post-order) that are still unavailable: Flower's `objects_to_push`.
    /// Throws `.invalidObjectID` if any ID is not 64 lowercase hex characters (nothing is stored).
    func preregister(runID: UInt64, tree: ObjectTree) async throws(ObjectStoreError) -> [String]

    /// Stores the bytes of a preregistered object after checking sha256 and the object format.
    func put(objectID: String, content: [UInt8]) async throws(ObjectStoreError) -> PutOutcome

    /// The object as Flower's `PullObject` reports it.
    func pull(objectID: String) async throws(ObjectStoreError) -> PulledObject

    /// The tree rooted at `objectID`, rebuilt from stored child links; nil if any node is missing.
    func tree(objectID: String) async throws(ObjectStoreError) -> ObjectTree?

    /// Ref-counted delete: no-op if unknown or still referenced; otherwise removes the object,
    /// decrements its children and recursively deletes those that reach zero.
    func delete(objectID: String) async throws(ObjectStoreError)

    /// Deletes every unreferenced object recorded for the run (recursively), then the run's records.
    func deleteObjects(inRun runID: UInt64) async throws(ObjectStoreError)
}

/// Result of `ObjectStore.put`.
public enum PutOutcome: Sendable, Equatable {
    /// The bytes were stored and the object is now available.
    case stored
    /// The object was already available; nothing changed.
    case alreadyAvailable
    /// The ID was never preregistered.
    case notPreregistered
    /// `sha256(content)` is not the object ID.
    case hashMismatch
    /// The bytes are not a valid object (head/body format, type, child IDs, length).
    case invalidContent(String)
}

/// Result of `ObjectStore.pull`, shaped like `PullObjectResponse`.
public struct PulledObject: Sendable, Equatable {
    public var found: Bool
    public var available: Bool
    public var content: [UInt8]

    public init(found: Bool, available: Bool, content: [UInt8]) {
        self.found = found
        self.available = available
        self.content = content
    }

    public static let notFound = PulledObject(found: false, available: false, content: [])
}
