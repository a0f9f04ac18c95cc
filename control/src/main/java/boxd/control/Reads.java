package boxd.control;

import boxd.common.Box;
import boxd.common.BoxSpec;
import boxd.common.DesiredState;
import boxd.common.Exposure;
import boxd.common.ObservedState;
import boxd.common.ProxyRoute;
import boxd.common.SshKey;
import boxd.common.User;
import boxd.common.Worker;

import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Queries over a replica connection, shared by the state machine (inside its transaction) and the client. */
final class Reads {
    private Reads() {}

    static final String BOX_COLUMNS = "id, name, owner, cpus, memory_mb, disk_gb, image, desired, observed, worker, "
            + "ipv4, ssh_port, created_at, updated_at, last_error";

    interface Row<T> { T map(ResultSet rs) throws SQLException; }

    static <T> List<T> list(Sql c, String sql, Row<T> row, Object... args) throws SQLException {
        try (ResultSet rs = c.bind(sql, args).executeQuery()) {
            List<T> out = new ArrayList<>();
            while (rs.next()) out.add(row.map(rs));
            return out;
        }
    }

    static <T> Optional<T> one(Sql c, String sql, Row<T> row, Object... args) throws SQLException {
        List<T> l = list(c, sql, row, args);
        return l.isEmpty() ? Optional.empty() : Optional.of(l.getFirst());
    }

    static long count(Sql c, String sql, Object... args) throws SQLException {
        return one(c, sql, rs -> rs.getLong(1), args).orElse(0L);
    }

    /** What applying a CreateBox checks, read in one statement. sameIdName/sameIdOwner are null when the id is free. */
    record CreateChecks(boolean userExists, String sameIdName, String sameIdOwner, boolean nameTaken, long ownerBoxes,
                        boolean ipTaken, boolean portTaken) {}

    static CreateChecks createChecks(Sql c, String owner, String id, String name, long ip, int port) throws SQLException {
        return one(c, "SELECT EXISTS(SELECT 1 FROM users WHERE name = ?1), (SELECT name FROM boxes WHERE id = ?2), "
                        + "(SELECT owner FROM boxes WHERE id = ?2), EXISTS(SELECT 1 FROM boxes WHERE name = ?3), "
                        + "(SELECT count(*) FROM boxes WHERE owner = ?1), EXISTS(SELECT 1 FROM ip_allocations WHERE ip_int = ?4), "
                        + "EXISTS(SELECT 1 FROM port_allocations WHERE port = ?5)",
                rs -> new CreateChecks(rs.getLong(1) != 0, rs.getString(2), rs.getString(3), rs.getLong(4) != 0,
                        rs.getLong(5), rs.getLong(6) != 0, rs.getLong(7) != 0),
                owner, id, name, ip, port).orElseThrow();
    }

    static Box box(ResultSet rs) throws SQLException {
        return new Box(rs.getString(1), rs.getString(2), rs.getString(3),
                new BoxSpec(rs.getInt(4), rs.getInt(5), rs.getInt(6), rs.getString(7)),
                DesiredState.valueOf(rs.getString(8)), ObservedState.valueOf(rs.getString(9)), rs.getString(10),
                rs.getString(11), rs.getInt(12), rs.getLong(13), rs.getLong(14), rs.getString(15));
    }

    static Optional<Box> boxById(Sql c, String id) throws SQLException {
        return one(c, "SELECT " + BOX_COLUMNS + " FROM boxes WHERE id = ?", Reads::box, id);
    }

    static Optional<Box> boxByName(Sql c, String name) throws SQLException {
        return one(c, "SELECT " + BOX_COLUMNS + " FROM boxes WHERE name = ?", Reads::box, name);
    }

    static Optional<Box> ownedBox(Sql c, String owner, String name) throws SQLException {
        return one(c, "SELECT " + BOX_COLUMNS + " FROM boxes WHERE name = ? AND owner = ?", Reads::box, name, owner);
    }

    static List<Box> boxes(Sql c, String owner) throws SQLException {
        return list(c, "SELECT " + BOX_COLUMNS + " FROM boxes WHERE owner = ? ORDER BY name", Reads::box, owner);
    }

    static List<Box> allBoxes(Sql c) throws SQLException {
        return list(c, "SELECT " + BOX_COLUMNS + " FROM boxes ORDER BY name", Reads::box);
    }

    static List<Box> boxesOn(Sql c, String worker) throws SQLException {
        return list(c, "SELECT " + BOX_COLUMNS + " FROM boxes WHERE worker = ? ORDER BY name", Reads::box, worker);
    }

    static User user(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), rs.getInt(2) != 0, rs.getLong(3));
    }

    static Optional<User> user(Sql c, String name) throws SQLException {
        return one(c, "SELECT name, admin, created_at FROM users WHERE name = ?", Reads::user, name);
    }

    static Optional<User> userByFingerprint(Sql c, String fp) throws SQLException {
        return one(c, "SELECT u.name, u.admin, u.created_at FROM users u JOIN ssh_keys k ON k.user = u.name "
                + "WHERE k.fingerprint = ?", Reads::user, fp);
    }

    static List<SshKey> keys(Sql c, String user) throws SQLException {
        return list(c, "SELECT user, fingerprint, public_key, added_at FROM ssh_keys WHERE user = ? ORDER BY added_at, fingerprint",
                rs -> new SshKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4)), user);
    }

    static List<String> platformKeys(Sql c) throws SQLException {
        return list(c, "SELECT public_key FROM platform_keys ORDER BY added_at, fingerprint", rs -> rs.getString(1));
    }

    static Worker worker(ResultSet rs) throws SQLException {
        return new Worker(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4), rs.getLong(5));
    }

    static Optional<Worker> worker(Sql c, String id) throws SQLException {
        return one(c, "SELECT id, address, cpus, memory_mb, lease_until FROM workers WHERE id = ?", Reads::worker, id);
    }

    static List<Worker> workers(Sql c) throws SQLException {
        return list(c, "SELECT id, address, cpus, memory_mb, lease_until FROM workers ORDER BY id", Reads::worker);
    }

    static List<ProxyRoute> routes(Sql c, String owner) throws SQLException {
        String sql = "SELECT r.box_id, b.name, r.subdomain, r.port FROM proxy_routes r JOIN boxes b ON b.id = r.box_id"
                + (owner == null ? "" : " WHERE b.owner = ?") + " ORDER BY b.name, r.subdomain";
        Row<ProxyRoute> row = rs -> new ProxyRoute(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4));
        return owner == null ? list(c, sql, row) : list(c, sql, row, owner);
    }

    static List<Exposure> exposures(Sql c) throws SQLException {
        return list(c, "SELECT e.box_id, b.name, e.box_port, e.public_port FROM exposures e JOIN boxes b ON b.id = e.box_id "
                + "ORDER BY e.public_port", rs -> new Exposure(rs.getString(1), rs.getString(2), rs.getInt(3), rs.getInt(4)));
    }

    static long lastApplied(Sql c) throws SQLException {
        return count(c, "SELECT value FROM meta WHERE key = 'last_applied_index'");
    }
}
