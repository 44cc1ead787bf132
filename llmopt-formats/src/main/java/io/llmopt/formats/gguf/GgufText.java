package io.llmopt.formats.gguf;

/** Makes strings read from a file safe to show in a one-line error message. */
final class GgufText {
    private static final int MAX_SHOWN = 80;

    private GgufText() {
    }

    /**
     * {@code s} in single quotes with control and other invisible characters escaped ({@code \n},
     * {@code \u0000}…) and cut after 80 characters, so a corrupt name cannot break or flood a message.
     */
    static String quote(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX_SHOWN) + 8).append('\'');
        int shown = 0;
        for (int i = 0; i < s.length() && shown < MAX_SHOWN; i++, shown++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                default -> {
                    int type = Character.getType(c);
                    boolean invisible = Character.isISOControl(c) || type == Character.LINE_SEPARATOR
                            || type == Character.PARAGRAPH_SEPARATOR || type == Character.FORMAT || type == Character.UNASSIGNED
                            || (type == Character.SURROGATE && !validSurrogateAt(s, i));
                    if (invisible) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        sb.append('\'');
        if (s.length() > MAX_SHOWN) {
            sb.append("… (").append(s.length()).append(" characters)");
        }
        return sb.toString();
    }

    private static boolean validSurrogateAt(String s, int i) {
        char c = s.charAt(i);
        if (Character.isHighSurrogate(c)) {
            return i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1));
        }
        return i > 0 && Character.isHighSurrogate(s.charAt(i - 1));
    }
}
