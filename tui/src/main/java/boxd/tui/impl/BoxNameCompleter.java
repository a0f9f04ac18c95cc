package boxd.tui.impl;

import org.jline.reader.Candidate;
import org.jline.reader.Completer;
import org.jline.reader.LineReader;
import org.jline.reader.ParsedLine;

import java.util.Collection;
import java.util.List;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Completes the user's box names as arguments of verbs that take them (not as the verb, not for words starting with
 * '-', not after {@code --}). For {@code cp} a name is offered as {@code NAME:} without a trailing space, since the
 * path follows. The names are asked for on every completion, so new boxes show up at once; a failing supplier offers
 * nothing.
 */
public final class BoxNameCompleter implements Completer {

    /** Group shown above box-name candidates. */
    public static final String GROUP_BOXES = "boxes";

    private final Supplier<? extends Collection<String>> names;
    private final Predicate<String> takesBoxName;

    public BoxNameCompleter(Supplier<? extends Collection<String>> names, Predicate<String> takesBoxName) {
        this.names = names;
        this.takesBoxName = takesBoxName;
    }

    @Override
    public void complete(LineReader reader, ParsedLine line, List<Candidate> candidates) {
        int index = line.wordIndex();
        if (index < 1) return;
        List<String> words = line.words();
        String verb = words.get(0);
        if (!takesBoxName.test(verb) || line.word().startsWith("-") || VerbCompleter.afterDoubleDash(words, index))
            return;
        Collection<String> current;
        try {
            current = names.get();
        } catch (RuntimeException e) {
            return;
        }
        if (current == null) return;
        boolean cp = "cp".equals(verb);
        for (String name : current) {
            if (cp) candidates.add(new Candidate(name + ":", name, GROUP_BOXES, null, null, null, false));
            else candidates.add(new Candidate(name, name, GROUP_BOXES, null, null, null, true));
        }
    }
}
