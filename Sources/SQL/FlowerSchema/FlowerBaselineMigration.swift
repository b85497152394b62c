/// Alembic revision `8e65d8ae60b0` ("Initialize migration of state tables"): every table of
/// Flower's state, in Flower's creation order. Column order and spelling are physical facts of
/// the file and must not be "tidied".
enum FlowerBaselineMigration {
    static func apply(_ conn: Connection) throws {
        for statement in statements { try conn.executeScript(statement) }
    }

    static let statements: [String] = [
        sqlAlchemyCreateTable("node", [
            "node_id INTEGER",
            "owner_aid VARCHAR",
            "owner_name VARCHAR",
            "status VARCHAR",
            "registered_at VARCHAR",
            "last_activated_at VARCHAR",
            "last_deactivated_at VARCHAR",
            "unregistered_at VARCHAR",
            "online_until TIMESTAMP",
            "heartbeat_interval FLOAT",
            "public_key BLOB",
            "UNIQUE (node_id)",
            "UNIQUE (public_key)",
        ]),
        "CREATE INDEX idx_node_owner_aid ON node (owner_aid)",
        "CREATE INDEX idx_node_status ON node (status)",
        "CREATE INDEX idx_online_until ON node (online_until)",
        sqlAlchemyCreateTable("run", [
            "run_id INTEGER",
            "fab_id VARCHAR",
            "fab_version VARCHAR",
            "fab_hash VARCHAR",
            "override_config VARCHAR",
            "pending_at VARCHAR",
            "starting_at VARCHAR",
            "running_at VARCHAR",
            "finished_at VARCHAR",
            "sub_status VARCHAR",
            "details VARCHAR",
            "federation VARCHAR",
            "federation_options BLOB",
            "flwr_aid VARCHAR",
            "bytes_sent INTEGER DEFAULT '0'",
            "bytes_recv INTEGER DEFAULT '0'",
            "clientapp_runtime FLOAT DEFAULT '0.0'",
            "UNIQUE (run_id)",
        ]),
        sqlAlchemyCreateTable("logs", [
            "timestamp FLOAT",
            "run_id INTEGER",
            "node_id INTEGER",
            "log VARCHAR",
            "FOREIGN KEY(run_id) REFERENCES run (run_id)",
            "UNIQUE (timestamp, run_id, node_id)",
        ]),
        sqlAlchemyCreateTable("context", [
            "run_id INTEGER",
            "context BLOB",
            "FOREIGN KEY(run_id) REFERENCES run (run_id)",
            "UNIQUE (run_id)",
        ]),
        sqlAlchemyCreateTable("message_ins", messageColumns),
        sqlAlchemyCreateTable("message_res", messageColumns),
        sqlAlchemyCreateTable("token_store", [
            "run_id INTEGER",
            "token VARCHAR NOT NULL",
            "active_until FLOAT",
            "PRIMARY KEY (run_id)",
            "UNIQUE (token)",
        ]),
        sqlAlchemyCreateTable("objects", [
            "object_id VARCHAR",
            "content BLOB",
            "is_available INTEGER DEFAULT '0' NOT NULL",
            "ref_count INTEGER DEFAULT '0' NOT NULL",
            "PRIMARY KEY (object_id)",
            "CONSTRAINT ck_objects_is_available CHECK (is_available IN (0, 1))",
        ]),
        sqlAlchemyCreateTable("object_children", [
            "parent_id VARCHAR NOT NULL",
            "child_id VARCHAR NOT NULL",
            "PRIMARY KEY (parent_id, child_id)",
            "FOREIGN KEY(child_id) REFERENCES objects (object_id) ON DELETE CASCADE",
            "FOREIGN KEY(parent_id) REFERENCES objects (object_id) ON DELETE CASCADE",
        ]),
        sqlAlchemyCreateTable("run_objects", [
            "run_id INTEGER NOT NULL",
            "object_id VARCHAR NOT NULL",
            "PRIMARY KEY (run_id, object_id)",
            "FOREIGN KEY(object_id) REFERENCES objects (object_id) ON DELETE CASCADE",
        ]),
    ]

    /// `message_ins` (instructions) and `message_res` (replies) share their columns.
    private static let messageColumns = [
        "message_id VARCHAR",
        "group_id VARCHAR",
        "run_id INTEGER",
        "src_node_id INTEGER",
        "dst_node_id INTEGER",
        "reply_to_message_id VARCHAR",
        "created_at FLOAT",
        "delivered_at VARCHAR",
        "ttl FLOAT",
        "message_type VARCHAR",
        "content BLOB",
        "error BLOB",
        "FOREIGN KEY(run_id) REFERENCES run (run_id)",
        "UNIQUE (message_id)",
    ]
}
