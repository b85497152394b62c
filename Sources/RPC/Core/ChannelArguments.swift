import CGRPC
import Glibc

/// Integer channel arguments (`grpc_channel_args`) built for one create call; the core copies
/// them, so they only live for the duration of `withChannelArgs`.
struct ChannelArguments {
    var integers: [(key: String, value: Int32)] = []

    mutating func set(_ key: String, _ value: Int) {
        integers.append((key, Int32(clamping: value)))
    }

    func withChannelArgs<R>(_ body: (UnsafePointer<grpc_channel_args>) -> R) -> R {
        let keys = integers.map { strdup($0.key)! }
        defer { keys.forEach { Glibc.free($0) } }
        var args = integers.enumerated().map { index, entry in
            var arg = grpc_arg()
            arg.type = GRPC_ARG_INTEGER
            arg.key = keys[index]
            arg.value.integer = entry.value
            return arg
        }
        return args.withUnsafeMutableBufferPointer { buffer in
            var channelArgs = grpc_channel_args(num_args: buffer.count, args: buffer.baseAddress)
            return withUnsafePointer(to: &channelArgs) { body($0) }
        }
    }
}
