package boxd.control;

import boxd.control.Linearizability.Op;
import boxd.control.Linearizability.Type;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

class LinearizabilityTest {
    static Op create(long i, long c, Type t) { return new Op("a", true, i, c, t, false); }

    static Op read(long i, long c, boolean saw) { return new Op("a", false, i, c, Type.OK, saw); }

    @Test
    void acceptsConcurrentReadsEitherWay() {
        assertEquals(List.of(), Linearizability.check(List.of(create(10, 20, Type.OK), read(12, 18, true), read(11, 19, false),
                read(21, 22, true), read(0, 5, false))));
    }

    @Test
    void rejectsAStaleReadAfterAnAcknowledgedCreate() {
        assertEquals(1, Linearizability.check(List.of(create(10, 20, Type.OK), read(25, 30, false))).size());
    }

    @Test
    void rejectsAReadThatSawTheFutureAndAReadThatGoesBackwards() {
        assertEquals(1, Linearizability.check(List.of(create(10, 20, Type.OK), read(1, 5, true))).size());
        assertEquals(1, Linearizability.check(List.of(create(10, 40, Type.OK), read(12, 15, true), read(16, 18, false))).size());
    }

    @Test
    void indeterminateCreatesMayTakeEffectLateOrNever() {
        assertEquals(List.of(), Linearizability.check(List.of(create(10, 20, Type.INFO), read(30, 31, false), read(50, 51, true))));
        assertEquals(List.of(), Linearizability.check(List.of(create(10, 20, Type.INFO), read(30, 31, false))));
        assertEquals(1, Linearizability.check(List.of(create(10, 20, Type.FAIL), read(30, 31, true))).size());
    }
}
