/// Server channel settings. The defaults are Flower's (`py/flwr/common/grpc.py`).
public struct ServerConfig: Sendable, Equatable {
    /// `grpc.max_receive_message_length`.
    public var maxReceiveMessageBytes: Int = 2_147_483_647
    /// `grpc.max_send_message_length`.
    public var maxSendMessageBytes: Int = 2_147_483_647
    /// `grpc.keepalive_time_ms`: 3.5 min, to survive idle cuts at 4 min.
    public var keepaliveTimeMs: Int = 210_000
    /// `grpc.max_concurrent_streams` per HTTP/2 connection.
    public var maxConcurrentStreams: Int = 1000
    /// `grpc.http2.max_pings_without_data`.
    public var maxPingsWithoutData: Int = 0
    /// `grpc.keepalive_permit_without_calls` (0 or 1).
    public var keepalivePermitWithoutCalls: Int = 0
    /// How many accepts (`grpc_server_request_call`) are kept outstanding; more lets bursts of
    /// new calls start without waiting for the completion-queue thread.
    public var pendingAccepts: Int = 32
    /// Dedicated threads draining the server's completion queue. They only copy bytes and
    /// start Tasks, so one is enough on small machines.
    public var completionQueueThreads: Int = 1
    /// How long `shutdown` waits, after every call has ended, for handler Tasks that ignore
    /// cancellation. Past it shutdown completes anyway; such handlers' sends then just fail.
    public var handlerDrainTimeout: Duration = .seconds(5)
    /// Further integer channel arguments, e.g. `("grpc.http2.min_ping_interval_without_data_ms", 1000)`.
    public var additionalIntegerArguments: [IntegerArgument] = []

    /// One `grpc_arg` of integer type.
    public struct IntegerArgument: Sendable, Equatable {
        public var key: String
        public var value: Int32
        public init(_ key: String, _ value: Int32) {
            self.key = key
            self.value = value
        }
    }

    public init() {}
}
