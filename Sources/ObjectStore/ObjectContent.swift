/// Flower's object byte format (protocol §3.1): IDs, and the check run before storing bytes.
///
/// ```swift
/// let id = ObjectContent.objectID(bytes)                 // sha256, lowercase hex
/// switch ObjectContent.validate(bytes) {
/// case .success(let head): print(head.type, head.childIDs)
/// case .failure(let error): print(error)                  // .invalidObjectContent(reason)
/// }
/// ```
public enum ObjectContent {
    /// The object ID of `bytes`: `sha256(bytes)` as 64 lowercase hex characters.
    public static func objectID(_ bytes: [UInt8]) -> String {
        SHA256Hex.digest(bytes)
    }

    /// True if `id` has the form of an object ID: exactly 64 characters `0-9a-f`.
    public static func isValidObjectID(_ id: String) -> Bool {
        var count = 0
        for c in id.utf8 {
            count += 1
            guard count <= 64, (c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66) else { return false }
        }
        return count == 64
    }

    /// Flower's `validate_object_content`: a NUL divider, a head of exactly three space-separated
    /// parts (known type, comma-joined hex-64 child IDs or empty, decimal body length), and a body
    /// of that length.
    public static func validate(_ bytes: [UInt8]) -> Result<ObjectHead, ObjectStoreError> {
        guard let nul = bytes.firstIndex(of: 0) else {
            return .failure(.invalidObjectContent("Missing head/body divider"))
        }
        guard let head = String(validating: bytes[..<nul], as: UTF8.self) else {
            return .failure(.invalidObjectContent("Head is not UTF-8"))
        }
        let parts = head.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(.invalidObjectContent("Head must have 3 parts, found \(parts.count)"))
        }
        guard let type = ObjectType(rawValue: String(parts[0])) else {
            return .failure(.invalidObjectContent("Unknown object type: \(parts[0])"))
        }
        var children: [String] = []
        if !parts[1].isEmpty {
            for child in parts[1].split(separator: ",", omittingEmptySubsequences: false) {
                let id = String(child)
                guard isValidObjectID(id) else {
                    return .failure(.invalidObjectContent("Invalid child object ID: \(id)"))
                }
                children.append(id)
            }
        }
        let lengthText = parts[2]
        guard !lengthText.isEmpty, lengthText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
            let length = Int(lengthText)
        else {
            return .failure(.invalidObjectContent("Invalid body length: \(lengthText)"))
        }
        let bodyOffset = nul + 1
        guard bytes.count - bodyOffset == length else {
            return .failure(.invalidObjectContent(
                "Body length mismatch: head says \(length), body has \(bytes.count - bodyOffset)"))
        }
        return .success(ObjectHead(type: type, childIDs: children, bodyLength: length, bodyOffset: bodyOffset))
    }

    /// The checks `put` makes before touching storage, in Flower's order: the hash must be the ID,
    /// then the bytes must be a valid object. nil means both passed. Costly for large objects, so
    /// stores run it outside their lock or write transaction.
    public static func verify(objectID: String, content: [UInt8]) -> PutOutcome? {
        guard Self.objectID(content) == objectID else { return .hashMismatch }
        if case .failure(let error) = validate(content) {
            if case .invalidObjectContent(let reason) = error { return .invalidContent(reason) }
            return .invalidContent(error.description)
        }
        return nil
    }
}
