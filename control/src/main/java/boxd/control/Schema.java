package boxd.control;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;

/**
 * The replica's SQLite schema, as numbered migrations applied in order on start. The version lives in
 * {@code meta('schema_version')}. Never edit a released migration: append a new one.
 */
final class Schema {
    private Schema() {}

    static final List<String> MIGRATIONS = List.of(
            // 1: everything the control plane records
            """
            CREATE TABLE meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
            CREATE TABLE users (name TEXT PRIMARY KEY, admin INTEGER NOT NULL, created_at INTEGER NOT NULL);
            CREATE TABLE ssh_keys (fingerprint TEXT PRIMARY KEY, user TEXT NOT NULL, public_key TEXT NOT NULL,
                                   added_at INTEGER NOT NULL);
            CREATE INDEX ssh_keys_user ON ssh_keys(user);
            CREATE TABLE invites (code TEXT PRIMARY KEY, created_by TEXT NOT NULL, created_at INTEGER NOT NULL,
                                  used_by TEXT NOT NULL DEFAULT '', used_at INTEGER NOT NULL DEFAULT 0);
            CREATE TABLE boxes (id TEXT PRIMARY KEY, name TEXT NOT NULL UNIQUE, owner TEXT NOT NULL,
                                cpus INTEGER NOT NULL, memory_mb INTEGER NOT NULL, disk_gb INTEGER NOT NULL,
                                image TEXT NOT NULL, desired TEXT NOT NULL, observed TEXT NOT NULL, worker TEXT,
                                ipv4 TEXT NOT NULL, ssh_port INTEGER NOT NULL, created_at INTEGER NOT NULL,
                                updated_at INTEGER NOT NULL, last_error TEXT NOT NULL DEFAULT '');
            CREATE INDEX boxes_owner ON boxes(owner);
            CREATE INDEX boxes_worker ON boxes(worker);
            CREATE TABLE workers (id TEXT PRIMARY KEY, address TEXT NOT NULL, cpus INTEGER NOT NULL,
                                  memory_mb INTEGER NOT NULL, lease_until INTEGER NOT NULL,
                                  registered_at INTEGER NOT NULL);
            CREATE TABLE ip_allocations (ip_int INTEGER PRIMARY KEY, ipv4 TEXT NOT NULL UNIQUE, box_id TEXT NOT NULL);
            CREATE TABLE port_allocations (port INTEGER PRIMARY KEY, kind TEXT NOT NULL, box_id TEXT NOT NULL);
            CREATE INDEX port_allocations_box ON port_allocations(box_id);
            CREATE TABLE exposures (box_id TEXT NOT NULL, box_port INTEGER NOT NULL, public_port INTEGER NOT NULL UNIQUE,
                                    PRIMARY KEY (box_id, box_port));
            CREATE TABLE proxy_routes (box_id TEXT NOT NULL, subdomain TEXT NOT NULL, port INTEGER NOT NULL,
                                       PRIMARY KEY (box_id, subdomain));
            CREATE TABLE events (seq INTEGER PRIMARY KEY, at INTEGER NOT NULL, kind TEXT NOT NULL,
                                 box_id TEXT NOT NULL, detail TEXT NOT NULL);
            INSERT INTO meta(key, value) VALUES ('last_applied_index', 0);
            """,
            // 2: the keys SSH frontends log into boxes with
            """
            CREATE TABLE platform_keys (fingerprint TEXT PRIMARY KEY, public_key TEXT NOT NULL, added_at INTEGER NOT NULL);
            """);

    /** Brings the database to the newest schema in one transaction. */
    static void migrate(Connection c) throws SQLException {
        boolean auto = c.getAutoCommit();
        c.setAutoCommit(false);
        try (Statement st = c.createStatement()) {
            st.executeUpdate("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)");
            int version = 0;
            try (ResultSet rs = st.executeQuery("SELECT version FROM schema_version")) {
                if (rs.next()) version = rs.getInt(1);
                else st.executeUpdate("INSERT INTO schema_version VALUES (0)");
            }
            if (version > MIGRATIONS.size())
                throw new SQLException("the replica has schema version " + version + " but this boxd knows only "
                        + MIGRATIONS.size() + "; run a newer boxd or remove state.db to rebuild it from the Raft log");
            for (int v = version; v < MIGRATIONS.size(); v++) {
                for (String sql : MIGRATIONS.get(v).split(";")) {
                    if (!sql.isBlank()) st.executeUpdate(sql);
                }
                st.executeUpdate("UPDATE schema_version SET version = " + (v + 1));
            }
            c.commit();
        } catch (SQLException e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(auto);
        }
    }
}
