/// The type names Flower writes at the start of an object's head (Python class names).
public enum ObjectType: String, Sendable, Equatable, CaseIterable {
    case message = "Message"
    case recordDict = "RecordDict"
    case arrayRecord = "ArrayRecord"
    case configRecord = "ConfigRecord"
    case metricRecord = "MetricRecord"
    case array = "Array"
    case arrayChunk = "ArrayChunk"
    /// Accepted by Flower's validator for its own tests; never produced by a real app.
    case customDataClass = "CustomDataClass"
}

/// The parsed head of an object: `<Type> <child,ids> <body length>` before the first NUL.
///
/// ```swift
/// let head = try ObjectContent.validate(bytes).get()
/// head.type          // .array
/// head.childIDs      // ["9399e94d…d052"]
/// ```
public struct ObjectHead: Sendable, Equatable {
    public var type: ObjectType
    /// Child object IDs in head order (deduplicated by the writer, not re-checked here).
    public var childIDs: [String]
    /// Number of body bytes after the NUL divider.
    public var bodyLength: Int
    /// Index of the first body byte in the object's bytes.
    public var bodyOffset: Int

    public init(type: ObjectType, childIDs: [String], bodyLength: Int, bodyOffset: Int) {
        self.type = type
        self.childIDs = childIDs
        self.bodyLength = bodyLength
        self.bodyOffset = bodyOffset
    }
}
