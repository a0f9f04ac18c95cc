package boxd.tui.impl;

import boxd.tui.CompletionSource;
import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Completes the verb grammar: verb names (plus {@code exit}/{@code quit}) as the first word, verb names after
 * {@code help}, a verb's sub-commands as the second word, and its flags for words starting with '-' (until a
 * {@code --}, after which words belong to the command run in the box). Offers every candidate; the reader filters.
 */
public final class VerbCompleter implements Completer {

    /** Group shown above verb candidates. */
    public static final String GROUP_VERBS = "verbs";
    /** Group shown above flag candidates. */
    public static final String GROUP_FLAGS = "flags";

    private final CompletionSource source;

    public VerbCompleter(CompletionSource source) {
        this.source = source;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        int index = line.wordIndex();
        List<String> words = line.words();
        if (index == 0) {
            verbs().forEach(v -> candidates.add(new Candidate(v, v, GROUP_VERBS, null, null, null, true)));
            return;
        }
        String verb = words.get(0);
        if (index == 1 && "help".equals(verb)) {
            source.verbs().forEach(v -> candidates.add(new Candidate(v, v, GROUP_VERBS, null, null, null, true)));
            return;
        }
        if (afterDoubleDash(words, index)) return;
        if (index == 1) {
            source.subcommands(verb).forEach(s -> candidates.add(new Candidate(s)));
        }
        String current = line.word();
        if (current.startsWith("-")) {
            source.flags(verb).forEach(f -> candidates.add(new Candidate(f, f, GROUP_FLAGS, null, null, null, true)));
        }
    }

    private Set<String> verbs() {
        Set<String> all = new LinkedHashSet<>(source.verbs());
        all.add("exit");
        all.add("quit");
        return all;
    }

    /** {@return whether a {@code --} word comes before the word at {@code index}} */
    static boolean afterDoubleDash(List<String> words, int index) {
        for (int i = 1; i < index && i < words.size(); i++) if ("--".equals(words.get(i))) return true;
        return false;
    }
}
