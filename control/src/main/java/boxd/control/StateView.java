package boxd.control;

import boxd.common.Box;
import boxd.common.Worker;

import java.util.List;

/** What the scheduler sees: every box and every worker of a replica at one applied index. */
public record StateView(List<Box> boxes, List<Worker> workers, long appliedIndex) {}
