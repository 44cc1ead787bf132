package io.llmopt.tensor.kernel;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * The weight side of {@link VnniGemm}: a panel of the {@link io.llmopt.tensor.ColumnPanels} form (32 rows) rewritten,
 * once per call and panel, into the kernel's layout — per 32-column block the scales, then per group of 4 columns 32
 * rows × 4 bytes u = (the decoded weight) + 128, a row's four columns in one dword, the unsigned operand of
 * {@code vpdpbusd}.
 */
final class VnniRepack {
    private static final VectorSpecies<Byte> B = ByteVector.SPECIES_512;
    private static final VectorSpecies<Short> S = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> I = IntVector.SPECIES_512;
    /** The two-source byte permutation of a group's 128 bytes (column-major, 32 rows per column) to row-major: out[k] = in[(k % 4)·32 + k / 4]. */
    private static final ByteVector IDX0 = ByteVector.fromArray(B, transpose(0), 0), IDX1 = ByteVector.fromArray(B, transpose(64), 0);

    private VnniRepack() {
    }

    private static byte[] transpose(int from) {
        byte[] idx = new byte[64];
        for (int k = 0; k < 64; k++) {
            int o = from + k;
            idx[k] = (byte) ((o & 3) * 32 + (o >>> 2));
        }
        return idx;
    }

    /** Repacks the nb blocks of a Q8_0 panel at po (blocks of bb bytes) of d into w ({@link VnniGemm#BLOCK_BYTES} per block). */
    static void q8_0(MemorySegment d, long po, long bb, int nb, MemorySegment w) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (int b = 0; b < nb; b++) {
            long s = po + b * bb, o = (long) b * VnniGemm.BLOCK_BYTES;
            ByteVector.fromMemorySegment(B, d, s, le).intoMemorySegment(w, o, le);
            for (int g = 0; g < 8; g++) {
                ByteVector v0 = ByteVector.fromMemorySegment(B, d, s + 64 + 128 * g, le);
                ByteVector v1 = ByteVector.fromMemorySegment(B, d, s + 128 + 128 * g, le);
                IDX0.selectFrom(v0, v1).lanewise(VectorOperators.XOR, (byte) 0x80).intoMemorySegment(w, o + 64 + 128 * g, le);
                IDX1.selectFrom(v0, v1).lanewise(VectorOperators.XOR, (byte) 0x80).intoMemorySegment(w, o + 128 + 128 * g, le);
            }
        }
    }

    /**
     * Repacks the nb blocks of a Q4_0 panel at po (blocks of bb bytes) of d into w: word g of row i holds e = q xor 8 of
     * columns 4g … 4g + 3 in its four nibbles; each spreads to a byte of its own, then (e xor 8) + 120 = (q − 8) + 128 per
     * byte (no carry: ≤ 135).
     */
    static void q4_0(MemorySegment d, long po, long bb, int nb, MemorySegment w) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (int b = 0; b < nb; b++) {
            long s = po + b * bb, o = (long) b * VnniGemm.BLOCK_BYTES;
            ByteVector.fromMemorySegment(B, d, s, le).intoMemorySegment(w, o, le);
            spreadWords(d, s + 64, w, o + 64);
        }
    }

    /**
     * Repacks the super-blocks of a Q4_K panel at po (bb bytes each; cols / 256 of them) into w, per 32-column sub-block s
     * ({@link VnniGemm#K_BLOCK_BYTES}): ds = d·sc and m8 = 8·ds + (−dmin)·m per row (the GEMV's floats: 8·ds is exact, the sum
     * rounded once), then the words of the sub-block spread as {@link #q4_0}'s.
     */
    static void q4_K(MemorySegment d, long po, long bb, int cols, MemorySegment w) {
        for (int sb = 0; sb < cols >>> 8; sb++) {
            long f = po + sb * bb;
            for (int s = 0; s < 8; s++) {
                long o = (long) (8 * sb + s) * VnniGemm.K_BLOCK_BYTES;
                for (int i = 0; i < VnniGemm.ROWS; i++) {
                    float ds = d.get(ValueLayout.JAVA_FLOAT_UNALIGNED, f + 4L * i) * (d.get(ValueLayout.JAVA_BYTE, f + 8L * VnniGemm.ROWS + (long) s * VnniGemm.ROWS + i) & 0xFF);
                    float mn = d.get(ValueLayout.JAVA_FLOAT_UNALIGNED, f + 4L * VnniGemm.ROWS + 4L * i) * (d.get(ValueLayout.JAVA_BYTE, f + 16L * VnniGemm.ROWS + (long) s * VnniGemm.ROWS + i) & 0xFF);
                    w.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o + 4L * i, ds);
                    w.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o + 128 + 4L * i, 8f * ds + mn);
                }
                spreadWords(d, f + 24L * VnniGemm.ROWS + 2L * VnniGemm.ROWS * 8 * s, w, o + 256);
            }
        }
    }

    /**
     * Repacks the super-blocks of a Q6_K panel at po (bb bytes each) into w, per 32-column block b of a super-block
     * ({@link VnniGemm#K_BLOCK_BYTES}): d·sc of its two 16-column sub-blocks per row (exact: an fp16 value times a byte), then its
     * four 8-column groups' three words decoded to bytes u = (q − 32) + 128, four columns per row and dword.
     */
    static void q6_K(MemorySegment d, long po, long bb, int cols, MemorySegment w) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (int sb = 0; sb < cols >>> 8; sb++) {
            long f = po + sb * bb;
            for (int b = 0; b < 8; b++) {
                long o = (long) (8 * sb + b) * VnniGemm.K_BLOCK_BYTES;
                for (int h = 0; h < 2; h++) {
                    for (int i = 0; i < VnniGemm.ROWS; i++) {
                        float dsc = d.get(ValueLayout.JAVA_FLOAT_UNALIGNED, f + 4L * i) * d.get(ValueLayout.JAVA_BYTE, f + 4L * VnniGemm.ROWS + (long) (2 * b + h) * VnniGemm.ROWS + i);
                        w.set(ValueLayout.JAVA_FLOAT_UNALIGNED, o + 128L * h + 4L * i, dsc);
                    }
                }
                for (int e = 0; e < 4; e++) { // 8-column group 4b + e: VNNI groups 2e and 2e + 1
                    long wo = f + 20L * VnniGemm.ROWS + 6L * VnniGemm.ROWS * (4 * b + e);
                    for (int part = 0; part < 2; part++) {
                        sixBitGroup(d, wo, part, w, o + 256 + 128 * (2 * e) + 64 * part);
                    }
                }
            }
        }
    }

    /**
     * Rows 16·part … 16·part + 15 of an 8-column Q6_K group (words w0, w1, w2 at wo) to two dwords of four bytes
     * (e xor 32) + 96 = (q − 32) + 128 each (no carry: ≤ 159), at to (columns 0–3) and to + 128 (columns 4–7). Vectors
     * stay inside the method: one that takes or returns a vector may be left as a call that boxes (JitHazards).
     */
    private static void sixBitGroup(MemorySegment d, long wo, int part, MemorySegment w, long to) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        IntVector v0 = (IntVector) ShortVector.fromMemorySegment(S, d, wo, le).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, part);
        IntVector v1 = (IntVector) ShortVector.fromMemorySegment(S, d, wo + 2L * VnniGemm.ROWS, le).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, part);
        IntVector v2 = (IntVector) ShortVector.fromMemorySegment(S, d, wo + 4L * VnniGemm.ROWS, le).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, part);
        // columns 0–3: e0 = w0 >> 10, e1 = (w0 >> 4) & 63, e2 = w1 >> 10, e3 = (w1 >> 4) & 63 (16-bit words: no mask above bit 15)
        IntVector lo = v0.lanewise(VectorOperators.LSHR, 10)
                .lanewise(VectorOperators.OR, v0.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, 63).lanewise(VectorOperators.LSHL, 8))
                .lanewise(VectorOperators.OR, v1.lanewise(VectorOperators.LSHR, 10).lanewise(VectorOperators.LSHL, 16))
                .lanewise(VectorOperators.OR, v1.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, 63).lanewise(VectorOperators.LSHL, 24));
        // columns 4–7: e4 = w2 >> 10, e5 = (w2 >> 4) & 63, e6 = (w0 & 15) | ((w2 >> 2) & 3) << 4, e7 = (w1 & 15) | (w2 & 3) << 4
        IntVector hi = v2.lanewise(VectorOperators.LSHR, 10)
                .lanewise(VectorOperators.OR, v2.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.AND, 63).lanewise(VectorOperators.LSHL, 8))
                .lanewise(VectorOperators.OR, v0.lanewise(VectorOperators.AND, 15)
                        .lanewise(VectorOperators.OR, v2.lanewise(VectorOperators.LSHR, 2).lanewise(VectorOperators.AND, 3).lanewise(VectorOperators.LSHL, 4))
                        .lanewise(VectorOperators.LSHL, 16))
                .lanewise(VectorOperators.OR, v1.lanewise(VectorOperators.AND, 15)
                        .lanewise(VectorOperators.OR, v2.lanewise(VectorOperators.AND, 3).lanewise(VectorOperators.LSHL, 4))
                        .lanewise(VectorOperators.LSHL, 24));
        lo.lanewise(VectorOperators.XOR, 0x20202020).lanewise(VectorOperators.ADD, 0x60606060).intoMemorySegment(w, to, le);
        hi.lanewise(VectorOperators.XOR, 0x20202020).lanewise(VectorOperators.ADD, 0x60606060).intoMemorySegment(w, to + 128, le);
    }

    /** The 8 groups of a block's nibble words (32 rows × 16 bits each, from d at from) spread into w at to, 128 bytes a group. */
    private static void spreadWords(MemorySegment d, long from, MemorySegment w, long to) {
        for (int g = 0; g < 8; g++) {
            spreadHalf(d, from + 64 * g, 0, w, to + 128 * g);
            spreadHalf(d, from + 64 * g, 1, w, to + 64 + 128 * g);
        }
    }

    /**
     * Rows 16·part … 16·part + 15 of a nibble word group at from: four nibbles e = q xor 8 to four bytes (e xor 8) + 120
     * = (q − 8) + 128 per row, at to. Vectors stay inside the method (see {@link #sixBitGroup}).
     */
    private static void spreadHalf(MemorySegment d, long from, int part, MemorySegment w, long to) {
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        IntVector v = (IntVector) ShortVector.fromMemorySegment(S, d, from, le).convertShape(VectorOperators.ZERO_EXTEND_S2I, I, part);
        IntVector n0 = v.lanewise(VectorOperators.AND, 0xF);
        IntVector n1 = v.lanewise(VectorOperators.AND, 0xF0).lanewise(VectorOperators.LSHL, 4);
        IntVector n2 = v.lanewise(VectorOperators.AND, 0xF00).lanewise(VectorOperators.LSHL, 8);
        IntVector n3 = v.lanewise(VectorOperators.AND, 0xF000).lanewise(VectorOperators.LSHL, 12);
        n0.lanewise(VectorOperators.OR, n1).lanewise(VectorOperators.OR, n2.lanewise(VectorOperators.OR, n3))
                .lanewise(VectorOperators.XOR, 0x08080808).lanewise(VectorOperators.ADD, 0x78787878).intoMemorySegment(w, to, le);
    }
}
