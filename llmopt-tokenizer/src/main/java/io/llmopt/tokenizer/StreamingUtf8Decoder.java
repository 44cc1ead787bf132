package io.llmopt.tokenizer;

import java.nio.charset.StandardCharsets;

/**
 * The streaming decoder of every tokenizer: joins the bytes of each token, emits only complete UTF-8 characters, and
 * applies {@link DecodeRules} so that the concatenated output equals {@link BaseTokenizer#decode} of all ids.
 *
 * <p>Why it equals the one-shot decode: (1) a UTF-8 prefix is cut only before a lead byte whose bytes so far are a
 * valid but incomplete sequence, a position where the one-shot lossy decoder also starts a new character; (2) the
 * leading space is judged on the first character, which never changes; (3) clean-up replacements all start with a
 * space and span at most 4 chars, so text is released only up to a point with no space in the 3 chars before it,
 * where no match of any replacement pass can cross (spaces are only ever removed, so this holds for every pass).
 */
final class StreamingUtf8Decoder implements StreamingDecoder {
    private final BaseTokenizer tokenizer;
    private final boolean renderSpecial;
    private final DecodeRules rules;
    private byte[] pending = new byte[8];
    private int pendingLength;
    private boolean started;
    /** Text waiting for the clean-up (only used with cleanUpSpaces). */
    private final StringBuilder held = new StringBuilder();
    /** The last (up to 3) raw chars already released, context for the next cut. */
    private String releasedTail = "";

    StreamingUtf8Decoder(BaseTokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
        this.rules = tokenizer.decodeRules();
    }

    @Override
    public String accept(int id) {
        byte[] bytes = tokenizer.tokenBytes(id, renderSpecial);
        if (bytes.length == 0) {
            return "";
        }
        ensure(pendingLength + bytes.length);
        System.arraycopy(bytes, 0, pending, pendingLength, bytes.length);
        pendingLength += bytes.length;
        int cut = completeLength(pending, pendingLength);
        if (cut == 0) {
            return "";
        }
        String text = new String(pending, 0, cut, StandardCharsets.UTF_8);
        System.arraycopy(pending, cut, pending, 0, pendingLength - cut);
        pendingLength -= cut;
        return release(text, false);
    }

    @Override
    public String flush() {
        String text = pendingLength == 0 ? "" : new String(pending, 0, pendingLength, StandardCharsets.UTF_8);
        pendingLength = 0;
        return release(text, true);
    }

    private String release(String text, boolean end) {
        if (!started && !text.isEmpty()) {
            started = true; // the first character is known: only it may be the stripped dummy-prefix space
            if (rules.stripLeadingSpace() && text.charAt(0) == ' ') {
                text = text.substring(1);
            }
        }
        if (!rules.cleanUpSpaces()) {
            return text;
        }
        held.append(text);
        int cut = end ? held.length() : safeCut();
        if (cut == 0) {
            return "";
        }
        String raw = held.substring(0, cut);
        held.delete(0, cut);
        String context = releasedTail + raw;
        releasedTail = context.substring(Math.max(0, context.length() - DecodeRules.CLEAN_UP_REACH));
        return DecodeRules.cleanUp(raw);
    }

    /** The largest cut in {@code held} with no space among the 3 raw chars before it (0 if none). */
    private int safeCut() {
        String context = releasedTail + held;
        int offset = releasedTail.length();
        for (int cut = context.length(); cut > offset; cut--) {
            boolean space = false;
            for (int k = Math.max(0, cut - DecodeRules.CLEAN_UP_REACH); k < cut; k++) {
                if (context.charAt(k) == ' ') {
                    space = true;
                    break;
                }
            }
            if (!space) {
                return cut - offset;
            }
        }
        return 0;
    }

    private void ensure(int capacity) {
        if (capacity > pending.length) {
            pending = java.util.Arrays.copyOf(pending, Math.max(capacity, pending.length * 2));
        }
    }

    /**
     * Length of the prefix of {@code b[0..n)} that can be decoded now: everything except a trailing valid-but-
     * incomplete UTF-8 sequence (a lead byte followed by fewer continuation bytes than it needs, each allowed by
     * Unicode's well-formedness table).
     */
    static int completeLength(byte[] b, int n) {
        for (int start = n - 1; start >= Math.max(0, n - 3); start--) {
            int lead = b[start] & 0xFF;
            if (lead < 0xC0) {
                if (lead < 0x80) {
                    return n;
                }
                continue;
            }
            int need = lead >= 0xF5 ? 0 : lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC2 ? 2 : 0;
            int have = n - start;
            if (need == 0 || have >= need) {
                return n;
            }
            for (int k = start + 1; k < n; k++) {
                int c = b[k] & 0xFF;
                int lo = 0x80;
                int hi = 0xBF;
                if (k == start + 1) {
                    if (lead == 0xE0) {
                        lo = 0xA0;
                    } else if (lead == 0xED) {
                        hi = 0x9F;
                    } else if (lead == 0xF0) {
                        lo = 0x90;
                    } else if (lead == 0xF4) {
                        hi = 0x8F;
                    }
                }
                if (c < lo || c > hi) {
                    return n;
                }
            }
            return start;
        }
        return n;
    }
}
