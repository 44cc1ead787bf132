package io.llmopt.formats.safetensors;

import static io.llmopt.formats.safetensors.Messages.oneLine;
import static io.llmopt.formats.safetensors.Messages.quote;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.llmopt.tensor.LlmoptException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed and validated JSON header of one safetensors file.
 *
 * <p>Rules enforced (each violation is a one-line {@link LlmoptException} naming the file and the tensor or
 * field): the header is strict UTF-8 JSON starting with '{', an object without duplicate keys, optionally
 * followed by whitespace padding; {@code __metadata__}, if present, maps strings to strings; every other key
 * is a tensor whose value has a known {@code dtype}, a {@code shape} of non-negative integers and
 * {@code data_offsets} [begin, end] with begin ≤ end ≤ data size and end − begin = elements × dtype width;
 * sorted by offset, the tensors tile the data section exactly (no overlap, no gap, nothing left over).
 */
final class SafetensorsHeader {
    /** The reference implementation refuses larger headers; so do we (it also bounds our allocation). */
    static final long MAX_HEADER_BYTES = 100_000_000L;
    static final String METADATA_KEY = "__metadata__";

    private static final ObjectMapper JSON = JsonMapper.builder(JsonFactory.builder()
                    .streamReadConstraints(StreamReadConstraints.builder().maxStringLength((int) MAX_HEADER_BYTES).build())
                    .build())
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private final Map<String, String> metadata;
    private final List<SafetensorsEntry> entries;

    private SafetensorsHeader(Map<String, String> metadata, List<SafetensorsEntry> entries) {
        this.metadata = Collections.unmodifiableMap(metadata);
        this.entries = List.copyOf(entries);
    }

    /** {@code __metadata__} in file order (empty when absent). */
    Map<String, String> metadata() {
        return metadata;
    }

    /** Tensor entries in header order. */
    List<SafetensorsEntry> entries() {
        return entries;
    }

    /**
     * Parses {@code header} (the bytes after the 8-byte length) of {@code file}, whose data section that
     * follows the header is {@code dataSize} bytes long.
     */
    static SafetensorsHeader parse(Path file, byte[] header, long dataSize) {
        if (header.length == 0) {
            throw new LlmoptException(file + ": header is empty; expected a JSON object starting with '{'");
        }
        if (header[0] != '{') {
            throw new LlmoptException(file + ": header must start with '{' (byte 8 of the file) but starts with byte 0x"
                    + String.format("%02x", header[0] & 0xFF));
        }
        JsonNode root = readJson(file, decodeUtf8(file, header));
        if (!root.isObject()) {
            throw new LlmoptException(file + ": header is not a JSON object");
        }
        Map<String, String> metadata = new LinkedHashMap<>();
        List<SafetensorsEntry> entries = new ArrayList<>();
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            if (field.getKey().equals(METADATA_KEY)) {
                readMetadata(file, field.getValue(), metadata);
            } else {
                entries.add(readEntry(file, field.getKey(), field.getValue(), dataSize));
            }
        }
        checkTiling(file, entries, dataSize);
        return new SafetensorsHeader(metadata, entries);
    }

    private static String decodeUtf8(Path file, byte[] header) {
        var decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(header);
        try {
            return decoder.decode(in).toString();
        } catch (CharacterCodingException e) {
            throw new LlmoptException(file + ": header is not valid UTF-8 near file offset " + (8 + in.position()), e);
        }
    }

    private static JsonNode readJson(Path file, String text) {
        try {
            return JSON.readTree(text);
        } catch (JsonProcessingException e) {
            JsonLocation at = e.getLocation();
            String where = at == null ? "" : " at line " + at.getLineNr() + " column " + at.getColumnNr();
            throw new LlmoptException(file + ": header is not valid JSON" + where + ": " + oneLine(e.getOriginalMessage()), e);
        }
    }

    private static void readMetadata(Path file, JsonNode node, Map<String, String> out) {
        if (!node.isObject()) {
            throw new LlmoptException(file + ": " + METADATA_KEY + " must be an object of strings, found " + node.getNodeType());
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            if (!e.getValue().isTextual()) {
                throw new LlmoptException(file + ": " + METADATA_KEY + " value " + quote(e.getKey()) + " must be a string, found "
                        + e.getValue().getNodeType());
            }
            out.put(e.getKey(), e.getValue().textValue());
        }
    }

    private static SafetensorsEntry readEntry(Path file, String name, JsonNode node, long dataSize) {
        String where = file + ": tensor " + quote(name);
        if (!node.isObject()) {
            throw new LlmoptException(where + ": expected an object with dtype, shape and data_offsets, found " + node.getNodeType());
        }
        JsonNode dtypeNode = node.get("dtype");
        if (dtypeNode == null || !dtypeNode.isTextual()) {
            throw new LlmoptException(where + ": missing or non-string field 'dtype'");
        }
        SafetensorsDtype dtype = SafetensorsDtype.byName(dtypeNode.textValue()).orElseThrow(() -> new LlmoptException(
                where + ": unknown dtype " + quote(dtypeNode.textValue()) + ", expected one of " + Arrays.toString(SafetensorsDtype.values())));
        long[] shape = longArray(where, node.get("shape"), "shape", -1);
        long[] offsets = longArray(where, node.get("data_offsets"), "data_offsets", 2);
        long begin = offsets[0];
        long end = offsets[1];
        if (begin > end) {
            throw new LlmoptException(where + ": data_offsets [" + begin + ", " + end + "] begin after end");
        }
        if (end > dataSize) {
            throw new LlmoptException(where + ": data_offsets [" + begin + ", " + end + "] run past the end of the data section ("
                    + dataSize + " bytes)");
        }
        long elements = 1;
        for (long d : shape) {
            if (d != 0 && elements > Long.MAX_VALUE / d) {
                throw new LlmoptException(where + ": shape " + Arrays.toString(shape) + " has too many elements");
            }
            elements *= d;
        }
        long expected = dtype.byteSizeOrMinusOne(elements);
        if (expected < 0) {
            throw new LlmoptException(where + ": " + dtype + " " + Arrays.toString(shape) + " is not a whole number of bytes or too large");
        }
        if (end - begin != expected) {
            throw new LlmoptException(where + ": " + dtype + " " + Arrays.toString(shape) + " needs " + expected
                    + " bytes but data_offsets [" + begin + ", " + end + "] span " + (end - begin));
        }
        return new SafetensorsEntry(name, dtype, shape, begin, end, file);
    }

    /** A JSON array of non-negative integers that fit a long; {@code length} ≥ 0 requires that length. */
    private static long[] longArray(String where, JsonNode node, String field, int length) {
        if (node == null || !node.isArray()) {
            throw new LlmoptException(where + ": missing or non-array field '" + field + "'");
        }
        if (length >= 0 && node.size() != length) {
            throw new LlmoptException(where + ": '" + field + "' must have " + length + " elements, found " + node.size());
        }
        long[] out = new long[node.size()];
        for (int i = 0; i < out.length; i++) {
            JsonNode v = node.get(i);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.longValue() < 0) {
                throw new LlmoptException(where + ": '" + field + "'[" + i + "] must be a non-negative integer, found " + oneLine(v.toString()));
            }
            out[i] = v.longValue();
        }
        return out;
    }

    /** Sorted by offset, each tensor must start where the previous one ended and the last must end at dataSize. */
    private static void checkTiling(Path file, List<SafetensorsEntry> entries, long dataSize) {
        List<SafetensorsEntry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(SafetensorsEntry::dataBegin).thenComparingLong(SafetensorsEntry::dataEnd));
        long covered = 0;
        SafetensorsEntry previous = null;
        for (SafetensorsEntry e : sorted) {
            if (e.dataBegin() < covered) {
                throw new LlmoptException(file + ": tensors " + quote(previous.name()) + " [" + previous.dataBegin() + ", "
                        + previous.dataEnd() + ") and " + quote(e.name()) + " [" + e.dataBegin() + ", " + e.dataEnd()
                        + ") overlap in the data section");
            }
            if (e.dataBegin() > covered) {
                throw new LlmoptException(file + ": data section bytes [" + covered + ", " + e.dataBegin()
                        + ") are not covered by any tensor (tensors must fill the data section without gaps)");
            }
            covered = e.dataEnd();
            previous = e;
        }
        if (covered != dataSize) {
            throw new LlmoptException(file + ": data section bytes [" + covered + ", " + dataSize
                    + ") are not covered by any tensor (tensors must fill the data section without gaps)");
        }
    }
}
