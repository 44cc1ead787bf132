package io.llmopt.tokenizer;

import io.llmopt.tensor.LlmoptException;

/**
 * The id ↔ piece table of a tokenizer, with per-id score and type. Ids without an entry (holes in a
 * tokenizer.json) have a null piece. When two ids share a piece, lookup returns the last one, as llama.cpp's
 * {@code token_to_id} map does.
 */
public final class Vocabulary {
    private final String[] pieces;
    private final float[] scores;
    private final TokenType[] types;
    private final PieceIndex index;
    private final int[] byteIds = new int[256];

    public Vocabulary(String[] pieces, float[] scores, TokenType[] types) {
        if (pieces.length != scores.length || pieces.length != types.length) {
            throw new IllegalArgumentException("pieces, scores and types must have the same length");
        }
        this.pieces = pieces.clone();
        this.scores = scores.clone();
        this.types = types.clone();
        this.index = new PieceIndex(this.pieces);
        for (int b = 0; b < 256; b++) {
            byteIds[b] = id(String.format("<0x%02X>", b));
        }
    }

    public int size() {
        return pieces.length;
    }

    /** The piece of {@code id}, or null for a hole. */
    public String piece(int id) {
        check(id);
        return pieces[id];
    }

    public float score(int id) {
        return scores[id];
    }

    public TokenType type(int id) {
        check(id);
        return types[id];
    }

    /** The id of {@code piece}, or -1. */
    public int id(String piece) {
        return index.id(piece, 0, piece.length());
    }

    /** The id of the piece {@code text[start, end)}, or -1 (no substring is allocated). */
    int id(String text, int start, int end) {
        return index.id(text, start, end);
    }

    /** The id of the byte-fallback token {@code <0xXX>} for {@code b} (0..255), or -1. */
    public int byteId(int b) {
        return byteIds[b];
    }

    void check(int id) {
        if (id < 0 || id >= pieces.length) {
            throw new LlmoptException("token id " + id + " is out of range [0, " + pieces.length + ")");
        }
    }

    /** Parses {@code <0xXX>} (as written by SentencePiece byte fallback) to 0..255, or -1. */
    static int parseByteToken(String piece) {
        if (piece == null || piece.length() != 6 || !piece.startsWith("<0x") || piece.charAt(5) != '>') {
            return -1;
        }
        int hi = Character.digit(piece.charAt(3), 16);
        int lo = Character.digit(piece.charAt(4), 16);
        return hi < 0 || lo < 0 ? -1 : hi * 16 + lo;
    }
}
