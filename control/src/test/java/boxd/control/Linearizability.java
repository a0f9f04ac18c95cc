package boxd.control;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A small linearizability checker for the history of one kind of object: "does box NAME exist", where the only write
 * is a create (no deletes) and reads are linearizable existence checks. Per name the register is absent until one
 * instant p (the create's linearization point) and present after; the history is linearizable iff, for every name,
 * some p satisfies all operations:
 * <ul>
 *   <li>an acknowledged create: invoke &lt;= p &lt;= complete; an indeterminate one (crash, timeout): invoke &lt;= p, or
 *       never; a refused one: never;</li>
 *   <li>a read that saw the box: p &lt;= its completion; a read that did not: its invocation &lt; p (or never).</li>
 * </ul>
 * Times are from one monotonic clock of the recording process.
 */
final class Linearizability {
    enum Type { OK, FAIL, INFO }

    /** One operation: a create or an existence read of {@code name}. {@code sawIt} only for reads. */
    record Op(String name, boolean create, long invoke, long complete, Type type, boolean sawIt) {}

    /** {@return an empty list when linearizable, otherwise one line per name that is not} */
    static List<String> check(List<Op> history) {
        Map<String, List<Op>> byName = new HashMap<>();
        for (Op op : history) byName.computeIfAbsent(op.name(), k -> new ArrayList<>()).add(op);
        List<String> problems = new ArrayList<>();
        for (var e : byName.entrySet()) {
            String why = checkOne(e.getValue());
            if (why != null) problems.add(e.getKey() + ": " + why);
        }
        return problems;
    }

    private static String checkOne(List<Op> ops) {
        long lo = Long.MIN_VALUE, hi = Long.MAX_VALUE;
        boolean mustExist = false, mayExist = false;
        int creates = 0;
        for (Op op : ops) {
            if (op.create()) {
                creates++;
                if (op.type() == Type.FAIL) continue;
                mayExist = true;
                lo = Math.max(lo, op.invoke());
                if (op.type() == Type.OK) {
                    mustExist = true;
                    hi = Math.min(hi, op.complete());
                }
            }
        }
        if (creates > 1) return "more than one create per name is outside this model";
        long lastAbsentInvoke = Long.MIN_VALUE;
        for (Op op : ops) {
            if (op.create() || op.type() != Type.OK) continue;
            if (op.sawIt()) {
                if (!mayExist) return "a read saw a box that was never (successfully) created";
                mustExist = true;
                hi = Math.min(hi, op.complete());
            } else {
                lastAbsentInvoke = Math.max(lastAbsentInvoke, op.invoke());
            }
        }
        if (!mustExist) return null; // "never" satisfies every absent read
        lo = Math.max(lo, lastAbsentInvoke);
        if (lo > hi) return "no instant fits: it must appear after " + lo + " but was seen by " + hi;
        return null;
    }
}
