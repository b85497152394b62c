import FAB
import FlowerProto

/// Flower's JSON form of a flattened `UserConfig` (`run.override_config`) and of a resolved
/// `SimulationConfig` (`run.federation_config`).
enum UserConfigJSON {
    /// `json.dumps` of the override map. Keys are sorted so equal maps give equal text.
    static func encode(_ config: [String: FlwrScalar]) -> String {
        var pairs: [(String, JSONValue)] = []
        for key in config.keys.sorted() {
            guard let value = config[key]?.userConfigValue else { continue }
            pairs.append((key, JSONValue(value)))
        }
        return JSONValue.object(pairs).pythonJSON
    }

    /// The stored JSON back as wire scalars; an unreadable text gives an empty map.
    static func decodeScalars(_ json: String) -> [String: FlwrScalar] {
        guard case .object(let pairs)? = JSONValue.parse(json) else { return [:] }
        var out: [String: FlwrScalar] = [:]
        for (k, v) in pairs {
            switch v {
            case .bool(let b): out[k] = FlwrScalar(.bool(b))
            case .int(let i): out[k] = FlwrScalar(.int(i))
            case .double(let d): out[k] = FlwrScalar(.double(d))
            case .string(let s): out[k] = FlwrScalar(.string(s))
            default: continue
            }
        }
        return out
    }
}

extension JSONValue {
    init(_ value: UserConfigValue) {
        switch value {
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d): self = .double(d)
        case .string(let s): self = .string(s)
        }
    }
}

/// Flower's `SimulationConfig` defaults and their JSON form (protocol §1.9).
enum SimulationConfigJSON {
    /// `DEFAULT_SIMULATION_CONFIG` advertised by the NoOp federation with `--simulation`.
    static var defaults: FlwrSimulationConfig {
        var c = FlwrSimulationConfig()
        c.numSupernodes = 10
        c.clientResourcesNumCpus = 2
        c.clientResourcesNumGpus = 0.0
        c.backend = "ray"
        c.verbose = false
        c.initArgsLoggingLevel = "WARNING"
        c.initArgsLogToDriver = true
        return c
    }

    /// Fields set in `override` replace those of `base`.
    static func merge(_ base: FlwrSimulationConfig, _ override: FlwrSimulationConfig) -> FlwrSimulationConfig {
        var c = base
        if let v = override.numSupernodes { c.numSupernodes = v }
        if let v = override.clientResourcesNumCpus { c.clientResourcesNumCpus = v }
        if let v = override.clientResourcesNumGpus { c.clientResourcesNumGpus = v }
        if let v = override.backend { c.backend = v }
        if let v = override.verbose { c.verbose = v }
        if let v = override.initArgsNumCpus { c.initArgsNumCpus = v }
        if let v = override.initArgsNumGpus { c.initArgsNumGpus = v }
        if let v = override.initArgsLoggingLevel { c.initArgsLoggingLevel = v }
        if let v = override.initArgsLogToDriver { c.initArgsLogToDriver = v }
        return c
    }

    /// Every field present, unset ones `null`, in Flower's order.
    static func encode(_ c: FlwrSimulationConfig) -> String {
        func num(_ v: UInt32?) -> JSONValue { v.map { .int(Int64($0)) } ?? .null }
        let pairs: [(String, JSONValue)] = [
            ("num_supernodes", num(c.numSupernodes)),
            ("client_resources_num_cpus", num(c.clientResourcesNumCpus)),
            ("client_resources_num_gpus", c.clientResourcesNumGpus.map { .double(Double($0)) } ?? .null),
            ("backend", c.backend.map(JSONValue.string) ?? .null),
            ("verbose", c.verbose.map(JSONValue.bool) ?? .null),
            ("init_args_num_cpus", num(c.initArgsNumCpus)),
            ("init_args_num_gpus", num(c.initArgsNumGpus)),
            ("init_args_logging_level", c.initArgsLoggingLevel.map(JSONValue.string) ?? .null),
            ("init_args_log_to_driver", c.initArgsLogToDriver.map(JSONValue.bool) ?? .null),
        ]
        return JSONValue.object(pairs).pythonJSON
    }

    static func decode(_ json: String) -> FlwrSimulationConfig? {
        guard case .object(let pairs)? = JSONValue.parse(json) else { return nil }
        var c = FlwrSimulationConfig()
        for (k, v) in pairs {
            switch (k, v) {
            case ("num_supernodes", .int(let i)): c.numSupernodes = UInt32(clamping: i)
            case ("client_resources_num_cpus", .int(let i)): c.clientResourcesNumCpus = UInt32(clamping: i)
            case ("client_resources_num_gpus", .double(let d)): c.clientResourcesNumGpus = Float(d)
            case ("client_resources_num_gpus", .int(let i)): c.clientResourcesNumGpus = Float(i)
            case ("backend", .string(let s)): c.backend = s
            case ("verbose", .bool(let b)): c.verbose = b
            case ("init_args_num_cpus", .int(let i)): c.initArgsNumCpus = UInt32(clamping: i)
            case ("init_args_num_gpus", .int(let i)): c.initArgsNumGpus = UInt32(clamping: i)
            case ("init_args_logging_level", .string(let s)): c.initArgsLoggingLevel = s
            case ("init_args_log_to_driver", .bool(let b)): c.initArgsLogToDriver = b
            default: continue
            }
        }
        return c
    }
}
