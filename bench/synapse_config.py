"""Rewrites a generated Synapse homeserver.yaml for the benchmark: SQLite, one client
listener on 127.0.0.1, no federation, shared-secret registration, cheap password hashing
and rate limits raised far above what the benchmark sends.

usage: synapse_config.py HOMESERVER_YAML DATA_DIR PORT   (SYNAPSE_SHARED_SECRET in the env)
"""
import os
import sys

import yaml

path, data_dir, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
with open(path) as f:
    cfg = yaml.safe_load(f)

unlimited = {"per_second": 100000, "burst_count": 100000}
cfg.update(
    {
        "listeners": [
            {
                "port": port,
                "bind_addresses": ["127.0.0.1"],
                "type": "http",
                "tls": False,
                "x_forwarded": False,
                "resources": [{"names": ["client"], "compress": False}],
            }
        ],
        "database": {"name": "sqlite3", "args": {"database": os.path.join(data_dir, "homeserver.db")}},
        "federation_domain_whitelist": [],
        "trusted_key_servers": [],
        "suppress_key_server_warning": True,
        "report_stats": False,
        "enable_registration": False,
        "registration_shared_secret": os.environ["SYNAPSE_SHARED_SECRET"],
        "bcrypt_rounds": 4,
        "presence": {"enabled": False},
        "rc_message": unlimited,
        "rc_registration": unlimited,
        "rc_registration_token_validity": unlimited,
        "rc_login": {"address": unlimited, "account": unlimited, "failed_attempts": unlimited},
        "rc_joins": {"local": unlimited, "remote": unlimited},
        "rc_joins_per_room": unlimited,
        "rc_invites": {"per_room": unlimited, "per_user": unlimited, "per_issuer": unlimited},
        "rc_admin_redaction": unlimited,
        "rc_3pid_validation": unlimited,
        "rc_third_party_invite": unlimited,
        "rc_room_creation": unlimited,
    }
)
with open(path, "w") as f:
    yaml.safe_dump(cfg, f)
