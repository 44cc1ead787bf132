package io.llmopt.formats.safetensors;

/**
 * Helpers that keep error messages on one line even when they quote text taken from a (possibly hostile)
 * file: control characters are escaped and very long names are shortened.
 */
final class Messages {
    private static final int MAX_QUOTED = 160;

    private Messages() {
    }

    /** {@code 'text'} with control characters escaped, shortened to a readable length. */
    static String quote(String text) {
        StringBuilder sb = new StringBuilder(Math.min(text.length(), MAX_QUOTED) + 8).append('\'');
        int limit = Math.min(text.length(), MAX_QUOTED);
        for (int i = 0; i < limit; i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c == 0x7F || c == '\u2028' || c == '\u2029') {
                sb.append(String.format("\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        if (text.length() > limit) {
            sb.append("…(").append(text.length()).append(" chars)");
        }
        return sb.append('\'').toString();
    }

    /** The first line of a (library) message, with any remaining control characters removed. */
    static String oneLine(String message) {
        if (message == null) {
            return "";
        }
        int nl = message.indexOf('\n');
        String first = nl >= 0 ? message.substring(0, nl) : message;
        // Jackson appends "[Source: REDACTED (...); line: 1, column: 6]" to some messages; keep only the position.
        return first.replaceAll("\\[Source: [^;\\]]*; ", "[").replaceAll("\\p{Cntrl}", " ").strip();
    }
}
