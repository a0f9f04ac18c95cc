package boxd.common;

import java.util.regex.Pattern;

/** Validation of user-chosen names: box names, user names and proxy subdomains all follow DNS label rules. */
public final class Names {
    private static final Pattern LABEL = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");

    private Names() {}

    /** {@return whether {@code name} is a lower-case DNS label: 1-63 of a-z, 0-9 and '-', not starting or ending in '-'} */
    public static boolean isValidLabel(String name) {
        return name != null && LABEL.matcher(name).matches();
    }

    /** Returns {@code name} when valid, else throws an {@link ErrorCode#INVALID} error naming the rule. */
    public static String requireLabel(String what, String name) {
        if (!isValidLabel(name)) {
            throw new BoxdException(ErrorCode.INVALID,
                    "invalid " + what + " '" + abbreviate(name) + "'",
                    "use 1-63 lower-case letters, digits and '-', starting and ending with a letter or digit");
        }
        return name;
    }

    static String abbreviate(String s) {
        if (s == null) return "";
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }
}
