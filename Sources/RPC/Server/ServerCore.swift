import CGRPC
import Dispatch
import Synchronization

/// The C server, its completion queue, the method table and the counters shutdown waits on.
///
/// Kept apart from `RPCServer` so calls can reference it without keeping the public object
/// alive (its `deinit` then still shuts down).
///
/// `@unchecked Sendable`: `server` is created in `init` and destroyed only by `shutdown`, after
/// which `lifecycle.phase == .stopped` stops every further use; all mutable state is in Mutexes.
final class ServerCore: @unchecked Sendable {
    enum Phase {
        case configuring, serving, stopping, stopped
    }

    private struct Lifecycle {
        var phase = Phase.configuring
        var liveCalls = 0
        var runningHandlers = 0
        var waitingForCalls = false
        var waitingForHandlers = false
    }

    let config: ServerConfig
    private let server: OpaquePointer
    private let queue: CompletionQueue
    private let handlers = Mutex<[String: MethodHandler]>([:])
    private let lifecycle = Mutex(Lifecycle())
    private let shutdownLock = Mutex(())
    private let callsDrained = DispatchSemaphore(value: 0)
    private let handlersDrained = DispatchSemaphore(value: 0)

    init(config: ServerConfig) {
        GRPCLibrary.ensureInitialized()
        self.config = config
        var arguments = ChannelArguments()
        arguments.set(GRPC_ARG_MAX_RECEIVE_MESSAGE_LENGTH, config.maxReceiveMessageBytes)
        arguments.set(GRPC_ARG_MAX_SEND_MESSAGE_LENGTH, config.maxSendMessageBytes)
        arguments.set(GRPC_ARG_KEEPALIVE_TIME_MS, config.keepaliveTimeMs)
        arguments.set(GRPC_ARG_MAX_CONCURRENT_STREAMS, config.maxConcurrentStreams)
        arguments.set(GRPC_ARG_HTTP2_MAX_PINGS_WITHOUT_DATA, config.maxPingsWithoutData)
        arguments.set(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, config.keepalivePermitWithoutCalls)
        arguments.set(GRPC_ARG_ALLOW_REUSEPORT, 0)  // a taken port must be an error
        for extra in config.additionalIntegerArguments { arguments.set(extra.key, Int(extra.value)) }
        server = arguments.withChannelArgs { grpc_server_create($0, nil)! }
        queue = CompletionQueue(threads: config.completionQueueThreads, name: "rpc-server-cq")
        grpc_server_register_completion_queue(server, queue.handle, nil)
    }

    // MARK: Configuration

    func register(_ path: String, _ handler: MethodHandler) {
        handlers.withLock { $0[path] = handler }
    }

    func handler(for path: String) -> MethodHandler? {
        handlers.withLock { $0[path] }
    }

    func bind(_ address: String, tls: TLSServerConfig?) throws(RPCError) -> Int {
        guard let (host, port) = AddressProbe.split(address) else { throw .invalidAddress(address) }
        let credentials = try ServerCredentials.make(tls)
        defer { grpc_server_credentials_release(credentials) }
        let bound: Int32 = try lifecycle.withLock { (state) throws(RPCError) -> Int32 in
            guard state.phase == .configuring else { throw .invalidState("bind after start") }
            return grpc_server_add_http2_port(server, address, credentials)
        }
        guard bound == 0 else { return Int(bound) }
        switch AddressProbe.probe(host: host, port: port) {
        case .inUse: throw .addressInUse(address)
        case .unresolvable: throw .invalidAddress(address)
        case .free where tls != nil: throw .tls("the C core rejected the certificate or key for \(address)")
        case .free, .failed: throw .bindFailed(address)
        }
    }

    func start() throws(RPCError) {
        try lifecycle.withLock { (state) throws(RPCError) in
            guard state.phase == .configuring else { throw .invalidState("start called twice or after shutdown") }
            grpc_server_start(server)
            state.phase = .serving
        }
        for _ in 0..<max(1, config.pendingAccepts) { accept() }
    }

    // MARK: Calls

    /// Keeps one more `request_call` outstanding (unless the server is stopped).
    func accept() {
        lifecycle.withLock { state in
            guard state.phase == .serving || state.phase == .stopping else { return }
            // Fails only for programming errors; the call object is then simply dropped.
            _ = ServerCall(core: self).request(on: server, queue: queue.handle)
        }
    }

    /// A request completed: replace it with a new one and count the call.
    func callAccepted() {
        accept()
        lifecycle.withLock { $0.liveCalls += 1 }
    }

    func callReleased() {
        let signal = lifecycle.withLock { state in
            state.liveCalls -= 1
            return state.liveCalls == 0 && state.waitingForCalls
        }
        if signal { callsDrained.signal() }
    }

    func handlerStarted() {
        lifecycle.withLock { $0.runningHandlers += 1 }
    }

    func handlerFinished() {
        let signal = lifecycle.withLock { state in
            state.runningHandlers -= 1
            return state.runningHandlers == 0 && state.waitingForHandlers
        }
        if signal { handlersDrained.signal() }
    }

    // MARK: Shutdown

    /// Stops the server (idempotent; concurrent callers wait for the first). Blocking.
    ///
    /// Order (see grpc-core-notes): shutdown_and_notify → up to `grace` → cancel_all_calls →
    /// notify tag → calls released → handlers finished → grpc_server_destroy → drain the queue.
    func shutdown(grace: Duration) {
        shutdownLock.withLock { _ in
            let phase = lifecycle.withLock { state in
                let previous = state.phase
                if previous != .stopped { state.phase = .stopping }
                return previous
            }
            guard phase != .stopped else { return }

            let notified = ShutdownNotification()
            grpc_server_shutdown_and_notify(server, queue.handle, notified.retainedTag(kind: 0))
            if !notified.wait(timeout: grace) {
                grpc_server_cancel_all_calls(server)
                _ = notified.wait(timeout: nil)
            }
            wait(for: \.liveCalls, flag: \.waitingForCalls, semaphore: callsDrained, limit: nil)
            // Handlers that ignore cancellation may outlive this limit; their calls are gone by
            // now, so their sends just fail.
            wait(for: \.runningHandlers, flag: \.waitingForHandlers, semaphore: handlersDrained,
                 limit: config.handlerDrainTimeout)
            lifecycle.withLock { $0.phase = .stopped }
            grpc_server_destroy(server)
            queue.shutdownAndDrain()
        }
    }

    /// Waits until the counter at `count` is zero; false if `limit` passed first.
    @discardableResult
    private func wait(
        for count: WritableKeyPath<Lifecycle, Int>, flag: WritableKeyPath<Lifecycle, Bool>,
        semaphore: DispatchSemaphore, limit: Duration?
    ) -> Bool {
        let mustWait = lifecycle.withLock { state in
            if state[keyPath: count] == 0 { return false }
            state[keyPath: flag] = true
            return true
        }
        guard mustWait else { return true }
        let drained = semaphore.wait(timeout: DispatchTime.after(limit)) == .success
        lifecycle.withLock { $0[keyPath: flag] = false }
        if !drained {
            // A signal may have raced the timeout; consume it so the semaphore stays balanced.
            _ = semaphore.wait(timeout: .now())
        }
        return drained
    }
}

/// The tag of `grpc_server_shutdown_and_notify`.
final class ShutdownNotification: CompletionTarget, @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)

    override func complete(kind: UInt, success: Bool) {
        done.signal()
    }

    /// True once notified; false if `timeout` (nil = forever) passed first.
    func wait(timeout: Duration?) -> Bool {
        done.wait(timeout: DispatchTime.after(timeout)) == .success
    }
}

extension DispatchTime {
    /// Now plus `duration`; `.distantFuture` for nil.
    static func after(_ duration: Duration?) -> DispatchTime {
        guard let duration else { return .distantFuture }
        let (seconds, attoseconds) = duration.components
        let nanos = Double(seconds) * 1e9 + Double(attoseconds) / 1e9
        guard nanos < 1e18 else { return .distantFuture }
        return .now() + .nanoseconds(Int(max(0, nanos)))
    }
}
