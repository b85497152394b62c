/// `sepal superlink`'s command line: every flag of `flower-superlink --help` in Flower 1.28,
/// with the same names, defaults and meanings.
enum SuperLinkFlags {
    static func parser(program: String) -> ArgumentParser {
        var p = ArgumentParser(program: program, summary: "Start a Flower SuperLink (Sepal)")
        p.flag("-h", "--help", help: "show this help message and exit")
        p.flag("-V", "--version", help: "show program's version number and exit")
        p.flag("--insecure", help: "Run the server without HTTPS, regardless of whether certificate paths are provided. Data transmitted between the gRPC client and server is not encrypted.")
        p.option("--ssl-certfile", metavar: "SSL_CERTFILE", help: "Fleet API server SSL certificate file (as a path str) to create a secure connection.")
        p.option("--ssl-keyfile", metavar: "SSL_KEYFILE", help: "Fleet API server SSL private key file (as a path str) to create a secure connection.")
        p.option("--ssl-ca-certfile", metavar: "SSL_CA_CERTFILE", help: "Fleet API server SSL CA certificate file (as a path str) to create a secure connection.")
        p.option("--isolation", metavar: "ISOLATION", choices: ["subprocess", "process"], help: "Isolation mode when running a `ServerApp` (`subprocess` by default). `subprocess`: the SuperLink starts and supervises the SuperExec; `process`: the operator runs it.")
        p.option("--database", metavar: "DATABASE", help: "Path to the SQLite state database (or a sqlite:/// URL). Default: `:flwr-in-memory:` (state in memory).")
        p.option("--storage-dir", metavar: "STORAGE_DIR", help: "The base directory to store the objects for the Flower File System (default: $FLWR_HOME/superlink/ffs).")
        p.option("--auth-list-public-keys", metavar: "AUTH_LIST_PUBLIC_KEYS", help: "No longer supported; use --enable-supernode-auth and `flwr supernode register`.")
        p.flag("--enable-supernode-auth", help: "Enable supernode authentication.")
        p.option("--log-file", metavar: "LOG_FILE", help: "Path to the SuperLink log file. If provided, logs are written to this file and rotated on a fixed schedule.")
        p.option("--log-rotation-interval-hours", metavar: "LOG_ROTATION_INTERVAL_HOURS", type: .positiveInt, help: "Rotate SuperLink log files every N hours (default: 24).")
        p.option("--log-rotation-backup-count", metavar: "LOG_ROTATION_BACKUP_COUNT", type: .positiveInt, help: "Maximum number of rotated SuperLink log files to keep (default: 7).")
        p.option("--serverappio-api-address", "--simulationio-api-address", metavar: "SERVERAPPIO_API_ADDRESS", help: "ServerAppIo API (gRPC) server address (IPv4, IPv6, or a domain name). `--simulationio-api-address` is accepted as a deprecated alias. By default, it is set to 0.0.0.0:9091.")
        p.option("--fleet-api-type", metavar: "FLEET_API_TYPE", choices: ["grpc-rere", "grpc-adapter", "rest"], help: "Start a gRPC-rere or REST (experimental) Fleet API server.")
        p.option("--fleet-api-address", metavar: "FLEET_API_ADDRESS", help: "Fleet API server address (IPv4, IPv6, or a domain name).")
        p.option("--fleet-api-num-workers", metavar: "FLEET_API_NUM_WORKERS", type: .int, help: "Set the number of concurrent workers for the Fleet API server.")
        p.option("--control-api-address", metavar: "CONTROL_API_ADDRESS", help: "Control API server address (IPv4, IPv6, or a domain name) By default, it is set to 0.0.0.0:9093.")
        p.option("--exec-api-address", metavar: "EXEC_API_ADDRESS", help: "Deprecated; use `--control-api-address` instead.")
        p.option("--executor", metavar: "EXECUTOR", help: "Deprecated and no longer supported; use `--simulation`.")
        p.option("--executor-dir", metavar: "EXECUTOR_DIR", help: "Deprecated and no longer supported; use `--simulation`.")
        p.option("--executor-config", metavar: "EXECUTOR_CONFIG", help: "Deprecated and no longer supported; use `--simulation`.")
        p.flag("--simulation", help: "Enable simulation runtime behavior.")
        p.option("--health-server-address", metavar: "HEALTH_SERVER_ADDRESS", help: "Health service gRPC server address (IPv4, IPv6, or a domain name) with no TLS. If not set, the health server will not be started.")
        return p
    }
}
