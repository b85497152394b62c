/// Call metadata: ordered `(key, value)` pairs, as HTTP/2 headers carry them.
///
/// ```swift
/// var metadata = Metadata()
/// metadata.add("flwr-public-key-bin", publicKeyBytes)   // "-bin": raw bytes, base64 on the wire
/// metadata.add("x-request-id", "42")
/// metadata.firstString("x-request-id")                   // "42"
/// ```
///
/// Keys are stored lower-case (HTTP/2 requires it). Keys ending in `-bin` are binary: values are
/// the raw bytes here and the C core base64-encodes them on the wire. Other values must be
/// printable ASCII, or the C core rejects the call.
public struct Metadata: Sendable, Equatable, Sequence, ExpressibleByDictionaryLiteral {
    public typealias Element = (key: String, value: [UInt8])

    struct Entry: Sendable, Equatable {
        var key: String
        var value: [UInt8]
    }

    private(set) var entries: [Entry] = []

    public init() {}

    public init(dictionaryLiteral elements: (String, String)...) {
        for (key, value) in elements { add(key, value) }
    }

    /// The number of pairs.
    public var count: Int { entries.count }
    public var isEmpty: Bool { entries.isEmpty }

    /// Appends a pair; the key is lower-cased.
    public mutating func add(_ key: String, _ value: [UInt8]) {
        entries.append(Entry(key: key.lowercased(), value: value))
    }

    /// Appends a pair with a UTF-8 value; the key is lower-cased.
    public mutating func add(_ key: String, _ value: String) {
        add(key, Array(value.utf8))
    }

    /// The first value for `key` (case-insensitive), if any.
    public func first(_ key: String) -> [UInt8]? {
        let key = key.lowercased()
        return entries.first { $0.key == key }?.value
    }

    /// The first value for `key` decoded as UTF-8, if any.
    public func firstString(_ key: String) -> String? {
        first(key).map { String(decoding: $0, as: UTF8.self) }
    }

    /// Every value for `key`, in order.
    public func values(_ key: String) -> [[UInt8]] {
        let key = key.lowercased()
        return entries.filter { $0.key == key }.map(\.value)
    }

    public func makeIterator() -> Iterator { Iterator(base: entries.makeIterator()) }

    public struct Iterator: IteratorProtocol {
        var base: IndexingIterator<[Entry]>
        public mutating func next() -> Element? {
            base.next().map { (key: $0.key, value: $0.value) }
        }
    }

    /// Appends a pair whose key is already lower-case (received from the C core).
    mutating func appendReceived(key: String, value: [UInt8]) {
        entries.append(Entry(key: key, value: value))
    }
}
