package boxd.control;

import com.alipay.sofa.jraft.util.NamedThreadFactory;
import com.alipay.sofa.jraft.util.SPI;
import com.alipay.sofa.jraft.util.timer.DefaultRaftTimerFactory;
import com.alipay.sofa.jraft.util.timer.HashedWheelTimer;
import com.alipay.sofa.jraft.util.timer.Timer;

import java.util.concurrent.TimeUnit;

/**
 * jraft's timers (election, vote, step-down, snapshot, read-index timeouts) with a 25 ms tick instead of jraft's 1 ms.
 * Each of them is a hashed wheel whose thread wakes up once per tick whether or not anything is due, so with 1 ms ticks
 * a node spends a measurable share of a CPU just ticking (measured on the 2-CPU benchmark machine, 3 idle nodes: the
 * wheel threads took about 90 ms of CPU per second at 1 ms ticks, about 25 ms at 25 ms ticks). Every timeout they serve is
 * hundreds of milliseconds or more (the election timeout is at least 800 ms in boxd), so firing up to one tick late
 * changes nothing.
 * Found by jraft's service loader (META-INF/services), where its priority beats jraft's default factory.
 */
@SPI(priority = 100)
public final class CoarseRaftTimerFactory extends DefaultRaftTimerFactory {
    static final int TICK_MS = 25;

    @Override
    public Timer createTimer(String name) {
        return new HashedWheelTimer(new NamedThreadFactory(name, true), TICK_MS, TimeUnit.MILLISECONDS, 512);
    }
}
