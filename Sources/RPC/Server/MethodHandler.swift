/// A registered method's handler, by call shape.
enum MethodHandler: Sendable {
    case unary(@Sendable ([UInt8], ServerCallContext) async throws -> [UInt8])
    case serverStreaming(@Sendable ([UInt8], ServerCallContext, ServerStreamWriter) async throws -> Void)
}

extension RPCStatus {
    /// The status a handler's error becomes: a thrown `RPCStatus` as-is, anything else
    /// `UNKNOWN` with the error's description.
    init(handlerError error: any Error) {
        if let status = error as? RPCStatus {
            self = status
        } else {
            self.init(.unknown, String(describing: error))
        }
    }
}
