package boxd.tui;

import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * What the prompt completes: verbs (with their flags and sub-commands) and the user's box names. Asked on every Tab
 * press, so {@link #boxNames()} sees boxes created a moment ago; keep it cheap (a read of the local replica).
 *
 * <p>{@link #of(Map, Supplier)} covers the usual case; implement the interface for more.
 */
public interface CompletionSource {

    /** {@return the verb names, aliases included, in the order they should be listed} */
    Collection<String> verbs();

    /** {@return the flags {@code verb} accepts, with their dashes ("--name", "--json"); empty when none or unknown} */
    Collection<String> flags(String verb);

    /** {@return the words that may follow {@code verb} directly ("keys" -> list, add, remove); empty by default} */
    default Collection<String> subcommands(String verb) {
        return List.of();
    }

    /**
     * {@return whether {@code verb}'s positional arguments are box names} By default every verb but those named in
     * {@link #NO_BOX_VERBS}. For {@code cp} names are offered as {@code NAME:} (the path follows).
     */
    default boolean takesBoxName(String verb) {
        return !NO_BOX_VERBS.contains(verb);
    }

    /** {@return the user's box names now} */
    Collection<String> boxNames();

    /** Verbs whose arguments are not existing box names. */
    Set<String> NO_BOX_VERBS = Set.of("new", "create", "list", "ls", "whoami", "keys", "help", "invite", "register",
            "dash", "top", "exit", "quit");

    /**
     * {@return a source for these verbs (name -> flags) and box names} {@code subcommands} maps a verb to the words
     * that may follow it; pass an empty map for none.
     */
    static CompletionSource of(Map<String, ? extends Collection<String>> verbFlags,
                               Map<String, ? extends Collection<String>> subcommands,
                               Supplier<? extends Collection<String>> boxNames) {
        Map<String, List<String>> flags = new LinkedHashMap<>();
        verbFlags.forEach((v, f) -> flags.put(v, List.copyOf(f)));
        Map<String, List<String>> subs = new LinkedHashMap<>();
        subcommands.forEach((v, s) -> subs.put(v, List.copyOf(s)));
        return new CompletionSource() {
            @Override public Collection<String> verbs() { return flags.keySet(); }
            @Override public Collection<String> flags(String verb) { return flags.getOrDefault(verb, List.of()); }
            @Override public Collection<String> subcommands(String verb) { return subs.getOrDefault(verb, List.of()); }
            @Override public Collection<String> boxNames() {
                Collection<String> names = boxNames.get();
                return names == null ? List.of() : names;
            }
        };
    }

    /** {@return a source for these verbs (name -> flags) and box names, without sub-commands} */
    static CompletionSource of(Map<String, ? extends Collection<String>> verbFlags,
                               Supplier<? extends Collection<String>> boxNames) {
        return of(verbFlags, Map.of(), boxNames);
    }
}
