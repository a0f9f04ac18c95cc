package boxd.worker.testing;

import boxd.worker.runtime.BoxLaunch;
import boxd.worker.runtime.BoxRuntime;
import boxd.worker.runtime.RuntimeState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/** A runtime that only remembers: which boxes exist, which run, their keys; optionally fails starts of named boxes. */
public final class FakeRuntime implements BoxRuntime {
    public final Map<String, RuntimeState.Phase> phases = new ConcurrentHashMap<>();
    public final Map<String, List<String>> keys = new ConcurrentHashMap<>();
    public final List<String> calls = new CopyOnWriteArrayList<>();
    public final Set<String> failStart = ConcurrentHashMap.newKeySet();

    @Override public String name() { return "fake"; }

    @Override public void create(BoxLaunch box) {
        calls.add("create " + box.id());
        phases.putIfAbsent(box.id(), RuntimeState.Phase.STOPPED);
    }

    @Override public void start(BoxLaunch box) {
        calls.add("start " + box.id());
        if (failStart.contains(box.name())) throw new IllegalStateException("cannot start " + box.name() + ": test failure");
        phases.put(box.id(), RuntimeState.Phase.RUNNING);
        keys.put(box.id(), box.authorizedKeys());
    }

    @Override public void stop(String boxId) {
        calls.add("stop " + boxId);
        phases.computeIfPresent(boxId, (k, v) -> RuntimeState.Phase.STOPPED);
    }

    @Override public void destroy(String boxId) {
        calls.add("destroy " + boxId);
        phases.remove(boxId);
        keys.remove(boxId);
    }

    @Override public RuntimeState inspect(String boxId) {
        return new RuntimeState(phases.getOrDefault(boxId, RuntimeState.Phase.ABSENT), "");
    }

    @Override public boolean adopt(BoxLaunch box) {
        calls.add("adopt " + box.id());
        if (phases.get(box.id()) != RuntimeState.Phase.RUNNING) return false;
        keys.put(box.id(), box.authorizedKeys());
        return true;
    }

    @Override public void updateKeys(String boxId, List<String> authorizedKeys) {
        calls.add("keys " + boxId);
        keys.put(boxId, authorizedKeys);
    }

    @Override public List<String> list() { return new ArrayList<>(phases.keySet()); }
}
