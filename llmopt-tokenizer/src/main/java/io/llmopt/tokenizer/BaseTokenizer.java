package io.llmopt.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.OptionalInt;
import java.util.Set;

/**
 * What every tokenizer shares: the vocabulary, the special ids and the decode path. Decoding is table-driven: each id
 * has the bytes it contributes ({@link #pieceBytes}) and a flag saying whether it is a control token that is only
 * rendered on request; subclasses fill the table with their own rules (▁ → space, byte-level mapping, {@code <0xXX>}).
 */
abstract class BaseTokenizer implements Tokenizer {
    private static final byte[] EMPTY = new byte[0];

    protected final Vocabulary vocabulary;
    private final SpecialIds specialIds;
    private final DecodeRules decodeRules;
    private final byte[][] pieceBytes;
    private final boolean[] renderOnlyIfSpecial;

    /**
     * @param pieceBytes bytes each id decodes to (null = nothing)
     * @param renderOnlyIfSpecial ids (control/special tokens) whose bytes appear only when rendering special tokens
     */
    BaseTokenizer(Vocabulary vocabulary, SpecialIds specialIds, DecodeRules decodeRules, byte[][] pieceBytes,
            boolean[] renderOnlyIfSpecial) {
        this.vocabulary = vocabulary;
        this.specialIds = specialIds;
        this.decodeRules = decodeRules;
        this.pieceBytes = pieceBytes;
        this.renderOnlyIfSpecial = renderOnlyIfSpecial;
    }

    /** The special ids of a tokenizer: bos/eos/padding (-1 = none) and the end-of-generation set. */
    record SpecialIds(int bos, int eos, Set<Integer> endOfGeneration, int padding) {
        SpecialIds(int bos, int eos, Set<Integer> endOfGeneration) {
            this(bos, eos, endOfGeneration, -1);
        }
    }

    @Override
    public int vocabSize() {
        return vocabulary.size();
    }

    @Override
    public String piece(int id) {
        String p = vocabulary.piece(id);
        return p == null ? "" : p;
    }

    @Override
    public OptionalInt bos() {
        return specialIds.bos() < 0 ? OptionalInt.empty() : OptionalInt.of(specialIds.bos());
    }

    @Override
    public OptionalInt eos() {
        return specialIds.eos() < 0 ? OptionalInt.empty() : OptionalInt.of(specialIds.eos());
    }

    @Override
    public boolean isEndOfGeneration(int id) {
        return specialIds.endOfGeneration().contains(id);
    }

    public Vocabulary vocabulary() {
        return vocabulary;
    }

    SpecialIds specialIds() {
        return specialIds;
    }

    DecodeRules decodeRules() {
        return decodeRules;
    }

    /** The bytes {@code id} contributes to decoded text (empty for skipped control tokens). */
    byte[] tokenBytes(int id, boolean renderSpecial) {
        vocabulary.check(id);
        if (renderOnlyIfSpecial[id] && !renderSpecial) {
            return EMPTY;
        }
        byte[] b = pieceBytes[id];
        return b == null ? EMPTY : b;
    }

    @Override
    public String decode(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        for (int id : ids) {
            bytes.writeBytes(tokenBytes(id, renderSpecial));
        }
        String text = bytes.toString(StandardCharsets.UTF_8);
        if (decodeRules.stripLeadingSpace() && text.startsWith(" ")) {
            text = text.substring(1);
        }
        return decodeRules.cleanUpSpaces() ? DecodeRules.cleanUp(text) : text;
    }

    @Override
    public StreamingDecoder streamingDecoder() {
        return new StreamingUtf8Decoder(this, false);
    }

    @Override
    public StreamingDecoder streamingDecoder(boolean renderSpecial) {
        return new StreamingUtf8Decoder(this, renderSpecial);
    }

    static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }
}
