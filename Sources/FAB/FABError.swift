/// Everything that can go wrong reading, validating or storing a FAB.
///
/// `description` is the exact user-facing text: for StartRun it is the gRPC status detail
/// Flower 1.28 sends (observed, see `README.md`), and `grpcStatusCode` is the status code
/// Flower uses. The SuperLink servicer maps one to the other; nothing else is needed.
public enum FABError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The FAB is larger than the limit. Flower answers StartRun with an *empty* response.
    case tooLarge(size: Int, limit: Int)
    /// No end-of-central-directory record: not a zip at all (or truncated).
    case notAZip
    /// A structural zip error, with Python `zipfile`'s message for the same defect
    /// ("Bad magic number for file header", "Bad CRC-32 for file 'pyproject.toml'", ...).
    case corruptZip(String)
    /// A local header offset before the start of the file (Python: `ValueError` from seek).
    case negativeSeek(Int)
    /// A limit of ours (entry count, uncompressed size, zip64) was exceeded.
    case zipLimitExceeded(String)
    /// The archive has no top-level `pyproject.toml`.
    case missingPyproject
    /// `pyproject.toml` is not UTF-8; the Python `UnicodeDecodeError` text.
    case invalidUTF8(String)
    /// `pyproject.toml` does not parse as TOML. `reason` is for logs only.
    case invalidTOML(reason: String)
    /// A `[tool.flwr.app.config]` leaf is not bool/int/float/str (or a table of those).
    case invalidConfigValue(key: String)
    /// Missing sections/properties, bad `fab-format-version` data, or bad component
    /// references: Flower sends `str(list_of_messages)`.
    case invalidConfig([String])
    /// A `pyproject.toml` value has a type Flower's Python code trips over (an uncaught
    /// `TypeError`/`AttributeError`); the Python exception text.
    case unexpectedType(String)
    /// A StartRun `override_config` key that the app's config does not have.
    case unknownOverrideKey(String)
    /// `.info/CONTENT` lists a file that is missing or whose hash/size differs.
    case contentMismatch(path: String)
    /// A FAB hash that is not 64 lowercase hex digits.
    case invalidHash(String)
    /// A filesystem operation in the FAB store failed.
    case storage(String)

    /// The exact text Flower uses for the same failure (the gRPC detail for StartRun).
    public var description: String {
        switch self {
        case .tooLarge(let size, let limit): return "FAB size \(size) exceeds the maximum of \(limit) bytes"
        case .notAZip: return Self.uncaught("File is not a zip file")
        case .corruptZip(let message): return Self.uncaught(message)
        case .negativeSeek(let offset): return "negative seek value \(offset)"
        case .zipLimitExceeded(let message): return Self.uncaught(message)
        case .missingPyproject: return Self.uncaught("\"There is no item named 'pyproject.toml' in the archive\"")
        case .invalidUTF8(let message): return message
        case .invalidTOML: return "Invalid TOML content in pyproject.toml"
        case .invalidConfigValue(let key):
            return "The value for key \(key) needs to be of type `int`, `float`, `bool, `str`, or  a `dict` of those."
        case .invalidConfig(let messages): return PythonRepr.list(messages)
        case .unexpectedType(let message): return Self.uncaught(message)
        case .unknownOverrideKey(let key): return "Key '\(key)' is not present in the main dictionary"
        case .contentMismatch(let path): return "FAB content verification failed for '\(path)'"
        case .invalidHash(let hash): return "Invalid FAB hash: \(PythonRepr.string(hash))"
        case .storage(let message): return "FAB storage error: \(message)"
        }
    }

    /// The gRPC status code (numeric, as in `grpc_status_code`) Flower's StartRun uses,
    /// or nil where Flower replies with an empty `StartRunResponse` (no `run_id`).
    ///
    /// 2 = UNKNOWN: an exception Flower does not catch (grpcio prefixes the detail with
    /// "Exception calling application: "). 9 = FAILED_PRECONDITION: Flower's own checks.
    /// 13 = INTERNAL for our storage failures (Flower has no equivalent).
    public var grpcStatusCode: Int? {
        switch self {
        case .tooLarge: return nil
        case .notAZip, .corruptZip, .zipLimitExceeded, .missingPyproject, .unexpectedType: return 2
        case .negativeSeek, .invalidUTF8, .invalidTOML, .invalidConfigValue, .invalidConfig, .unknownOverrideKey,
             .contentMismatch:
            return 9
        case .invalidHash: return 3
        case .storage: return 13
        }
    }

    private static func uncaught(_ message: String) -> String {
        "Exception calling application: " + message
    }
}
