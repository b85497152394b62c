import Foundation

/// Process-wide set-up done before anything else runs.
enum ProcessHygiene {
    /// * SIGPIPE is ignored: a log reader that goes away (`sepal superlink | tee log`, then
    ///   Ctrl-C) must not kill the SuperLink mid-shutdown; writes to a closed pipe fail with
    ///   EPIPE instead, which the log ignores. (Python, and so Flower, ignores SIGPIPE too.)
    ///   Apps the SuperExec starts get default dispositions back (`AppLauncher`).
    /// * Closed standard descriptors are reopened on /dev/null, as Python does at start-up:
    ///   otherwise the first descriptors gRPC opens (epoll, eventfds) would become fd 1 and 2
    ///   and every log line would be written into them.
    static func apply() {
        signal(SIGPIPE, SIG_IGN)
        for fd: Int32 in 0...2 where fcntl(fd, F_GETFD) == -1 && errno == EBADF {
            let opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY)
            if opened >= 0 && opened != fd {
                dup2(opened, fd)
                close(opened)
            }
        }
    }
}
