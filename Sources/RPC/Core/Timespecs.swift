import CGRPC

/// Conversions between `gpr_timespec` and Swift clocks.
enum Timespecs {
    static var infiniteFuture: gpr_timespec { gpr_inf_future(GPR_CLOCK_REALTIME) }

    /// An absolute monotonic deadline `timeout` from now; `nil` means none.
    static func deadline(after timeout: Duration?) -> gpr_timespec {
        guard let timeout else { return infiniteFuture }
        let (seconds, attoseconds) = timeout.components
        let nanos = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !nanos.overflow else { return seconds > 0 ? infiniteFuture : gpr_now(GPR_CLOCK_MONOTONIC) }
        let total = nanos.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000)
        guard !total.overflow else { return infiniteFuture }
        return gpr_time_add(gpr_now(GPR_CLOCK_MONOTONIC), gpr_time_from_nanos(max(0, total.partialValue), GPR_TIMESPAN))
    }

    /// The instant `deadline` denotes on the continuous clock; `nil` for an infinite deadline.
    static func instant(of deadline: gpr_timespec) -> ContinuousClock.Instant? {
        if deadline.tv_sec == Int64.max { return nil }
        let monotonic = gpr_convert_clock_type(deadline, GPR_CLOCK_MONOTONIC)
        if monotonic.tv_sec == Int64.max { return nil }
        let remaining = gpr_time_sub(monotonic, gpr_now(GPR_CLOCK_MONOTONIC))
        return .now + .seconds(remaining.tv_sec) + .nanoseconds(Int64(remaining.tv_nsec))
    }
}
