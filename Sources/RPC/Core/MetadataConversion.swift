import CGRPC

extension Metadata {
    /// Copies a received `grpc_metadata_array` (whose slices belong to the call).
    init(received array: grpc_metadata_array) {
        self.init()
        guard let items = array.metadata else { return }
        for index in 0..<array.count {
            let item = items[index]
            appendReceived(key: Slices.string(item.key), value: Slices.bytes(item.value))
        }
    }
}

/// Metadata to send, as a C array of `grpc_metadata` whose slices we own.
///
/// It must outlive the batch that sends it; `free()` unrefs the slices and frees the array.
struct OutgoingMetadata {
    private(set) var pointer: UnsafeMutablePointer<grpc_metadata>?
    private(set) var count: Int = 0

    init(_ metadata: Metadata) {
        guard !metadata.isEmpty else { return }
        let items = UnsafeMutablePointer<grpc_metadata>.allocate(capacity: metadata.count)
        for (index, entry) in metadata.entries.enumerated() {
            var item = grpc_metadata()
            item.key = Slices.copy(entry.key)
            item.value = Slices.copy(entry.value)
            (items + index).initialize(to: item)
        }
        pointer = items
        count = metadata.count
    }

    mutating func free() {
        guard let items = pointer else { return }
        for index in 0..<count {
            grpc_slice_unref(items[index].key)
            grpc_slice_unref(items[index].value)
        }
        items.deinitialize(count: count)
        items.deallocate()
        pointer = nil
        count = 0
    }
}
