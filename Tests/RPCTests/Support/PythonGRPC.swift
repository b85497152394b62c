import Foundation
import XCTest

/// Locates a Python with `grpcio` for the interop tests: `$SEPAL_PYTHON`, else the project venv.
enum PythonGRPC {
    static var interpreter: String {
        if let p = ProcessInfo.processInfo.environment["SEPAL_PYTHON"] { return p }
        // <repo>/.venv, made by scripts/venv.sh (the test command runs it first).
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.appendingPathComponent(".venv/bin/python").path
    }

    static func requireInterpreter() throws -> String {
        guard FileManager.default.isExecutableFile(atPath: interpreter) else {
            // In CI the venv must exist: a silent skip would hide the interop check.
            if ProcessInfo.processInfo.environment["CI"] != nil {
                XCTFail("no Python with grpcio at \(interpreter): run scripts/venv.sh")
            }
            throw XCTSkip("no Python with grpcio at \(interpreter) (set SEPAL_PYTHON or run scripts/venv.sh)")
        }
        return interpreter
    }

    /// Drives our server with grpcio generic calls; prints one `RESULT <json>` line.
    static let clientScript = #"""
    import json, sys, grpc
    target = sys.argv[1]
    big_limit = [("grpc.max_send_message_length", 2**31 - 1), ("grpc.max_receive_message_length", 2**31 - 1)]
    out = {}
    with grpc.insecure_channel(target, options=big_limit) as ch:
        echo = ch.unary_unary("/test.Echo/Say")
        out["echo"] = echo(b"\x00\xffhello", timeout=10).hex()
        big = bytes(range(256)) * (5 * 1024 * 1024 // 256)
        out["big"] = echo(big, timeout=60) == big
        try:
            ch.unary_unary("/test.Echo/Fail")("7|⛔️ Run ID does not belong to the account".encode(), timeout=10)
        except grpc.RpcError as e:
            out["fail"] = [e.code().name, e.details()]
        try:
            ch.unary_unary("/test.Echo/Nope")(b"", timeout=10)
        except grpc.RpcError as e:
            out["unknown"] = e.code().name
        out["meta"] = ch.unary_unary("/t.S/Meta")(
            b"", metadata=[("x-blob-bin", bytes([0, 255, 1, 2])), ("x-text", "hi")], timeout=10).hex()
        out["stream"] = [m.decode() for m in ch.unary_stream("/t.S/Count")(bytes([5]), timeout=10)]
        try:
            ch.unary_unary("/t.S/Slow")(b"", timeout=0.3)
        except grpc.RpcError as e:
            out["deadline"] = e.code().name
    print("RESULT " + json.dumps(out), flush=True)
    """#

    /// A grpcio server with generic handlers; prints `PORT <n>`, exits when stdin closes.
    static let serverScript = #"""
    import sys, time, grpc
    from concurrent import futures

    def say(req, ctx):
        return req

    def fail(req, ctx):
        ctx.abort(grpc.StatusCode.PERMISSION_DENIED, "⛔️ Run ID does not belong to the account")

    def meta(req, ctx):
        md = dict(ctx.invocation_metadata())
        return md.get("x-blob-bin", b"") + md.get("x-text", "").encode()

    def count(req, ctx):
        for i in range(req[0]):
            yield ("m%d" % i).encode()

    def slow(req, ctx):
        deadline = time.time() + 20
        while ctx.is_active() and time.time() < deadline:
            time.sleep(0.01)
        return b""

    big_limit = [("grpc.max_send_message_length", 2**31 - 1), ("grpc.max_receive_message_length", 2**31 - 1)]
    handler = grpc.method_handlers_generic_handler("test.Echo", {
        "Say": grpc.unary_unary_rpc_method_handler(say),
        "Fail": grpc.unary_unary_rpc_method_handler(fail),
        "Meta": grpc.unary_unary_rpc_method_handler(meta),
        "Count": grpc.unary_stream_rpc_method_handler(count),
        "Slow": grpc.unary_unary_rpc_method_handler(slow),
    })
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=8), handlers=[handler], options=big_limit)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print("PORT %d" % port, flush=True)
    sys.stdin.read()
    server.stop(0)
    """#
}
