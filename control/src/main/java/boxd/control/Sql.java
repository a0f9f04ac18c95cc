package boxd.control;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;

/** A SQLite connection with its prepared statements kept for reuse (preparing costs more than running most queries). */
final class Sql implements AutoCloseable {
    final Connection conn;
    private final Map<String, PreparedStatement> cache = new HashMap<>();

    Sql(Connection conn) { this.conn = conn; }

    PreparedStatement ps(String sql) throws SQLException {
        PreparedStatement ps = cache.get(sql);
        if (ps == null) {
            ps = conn.prepareStatement(sql);
            cache.put(sql, ps);
        } else {
            ps.clearParameters();
        }
        return ps;
    }

    PreparedStatement bind(String sql, Object... args) throws SQLException {
        PreparedStatement ps = ps(sql);
        for (int i = 0; i < args.length; i++) ps.setObject(i + 1, args[i]);
        return ps;
    }

    /** Closes the kept statements (VACUUM refuses to run while any is open). */
    void clearCache() {
        for (PreparedStatement ps : cache.values()) {
            try { ps.close(); } catch (SQLException ignored) { /* closing anyway */ }
        }
        cache.clear();
    }

    @Override
    public void close() {
        clearCache();
        try { conn.close(); } catch (SQLException ignored) { /* closing anyway */ }
    }
}
