package dev.tandem.http1;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The header fields of one message head, as the bytes they arrived in: field {@code i} is the name
 * {@code [nameStart, nameEnd)} and the value {@code [valueStart, valueEnd)} (surrounding whitespace trimmed) of
 * {@code bytes}, and its whole line, CRLF included, is {@code [nameStart, lineEnd)}. Lookups compare bytes
 * case-insensitively; a head has a few dozen fields at most, so a scan beats building a map.
 */
public final class HeadFields implements HeaderLookup {
    private static final int STRIDE = 4;

    private final byte[] bytes;
    /** Per field: nameStart, nameEnd, valueStart, valueEnd. The line ends at valueEnd's CRLF (see lineEnd). */
    private int[] offsets;
    private int size;

    HeadFields(byte[] bytes, int expected) {
        this.bytes = bytes;
        this.offsets = new int[Math.max(4, expected) * STRIDE];
    }

    void add(int nameStart, int nameEnd, int valueStart, int valueEnd) {
        int at = size * STRIDE;
        if (at == offsets.length) {
            offsets = java.util.Arrays.copyOf(offsets, offsets.length * 2);
        }
        offsets[at] = nameStart;
        offsets[at + 1] = nameEnd;
        offsets[at + 2] = valueStart;
        offsets[at + 3] = valueEnd;
        size++;
    }

    public int size() {
        return size;
    }

    byte[] bytes() {
        return bytes;
    }

    int nameStart(int i) {
        return offsets[i * STRIDE];
    }

    int nameEnd(int i) {
        return offsets[i * STRIDE + 1];
    }

    int valueStart(int i) {
        return offsets[i * STRIDE + 2];
    }

    int valueEnd(int i) {
        return offsets[i * STRIDE + 3];
    }

    /** Where field {@code i}'s line ends, after its CRLF. */
    int lineEnd(int i) {
        int at = valueEnd(i);
        while (bytes[at] != '\n') {
            at++;
        }
        return at + 1;
    }

    /** Whether field {@code i}'s name is {@code name} (lower-case ASCII), ignoring case. */
    public boolean nameIs(int i, AsciiString name) {
        int start = nameStart(i);
        int length = nameEnd(i) - start;
        if (length != name.length()) {
            return false;
        }
        byte[] lower = name.array();
        int offset = name.arrayOffset();
        for (int k = 0; k < length; k++) {
            byte b = bytes[start + k];
            if (b != lower[offset + k] && (b | 0x20) != lower[offset + k]) {
                return false;
            }
        }
        return true;
    }

    public String name(int i) {
        return new String(bytes, nameStart(i), nameEnd(i) - nameStart(i), java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    public String value(int i) {
        return new String(bytes, valueStart(i), valueEnd(i) - valueStart(i),
                java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** The index of the first field named {@code name}, or -1. */
    public int indexOf(AsciiString name) {
        for (int i = 0; i < size; i++) {
            if (nameIs(i, name)) {
                return i;
            }
        }
        return -1;
    }

    /** The first value of {@code name}, or null. */
    public @Nullable String get(AsciiString name) {
        int i = indexOf(name);
        return i < 0 ? null : value(i);
    }

    /**
     * Whether a comma-separated list in any field named {@code name} holds {@code token} (lower-case), ignoring
     * case and whitespace around elements, as {@code Connection: keep-alive, Upgrade} is read.
     */
    public boolean hasToken(AsciiString name, AsciiString token) {
        for (int i = 0; i < size; i++) {
            if (nameIs(i, name) && listHas(valueStart(i), valueEnd(i), token)) {
                return true;
            }
        }
        return false;
    }

    boolean listHas(int start, int end, AsciiString token) {
        int at = start;
        while (at < end) {
            int elementEnd = elementEnd(at, end);
            int s = trimStart(at, elementEnd);
            int e = trimEnd(s, elementEnd);
            if (equalsIgnoreCase(s, e, token)) {
                return true;
            }
            at = elementEnd + 1;
        }
        return false;
    }

    /** Where the comma-separated list element starting at {@code at} ends: at the next comma, or {@code end}. */
    private int elementEnd(int at, int end) {
        int i = at;
        while (i < end && bytes[i] != ',') {
            i++;
        }
        return i;
    }

    private int trimStart(int start, int end) {
        int i = start;
        while (i < end && (bytes[i] == ' ' || bytes[i] == '\t')) {
            i++;
        }
        return i;
    }

    private int trimEnd(int start, int end) {
        int i = end;
        while (i > start && (bytes[i - 1] == ' ' || bytes[i - 1] == '\t')) {
            i--;
        }
        return i;
    }

    boolean equalsIgnoreCase(int start, int end, AsciiString lower) {
        if (end - start != lower.length()) {
            return false;
        }
        for (int k = 0; start + k < end; k++) {
            byte b = bytes[start + k];
            byte want = lower.byteAt(k);
            if (b != want && (b | 0x20) != want) {
                return false;
            }
        }
        return true;
    }

    /**
     * Whether field {@code field}'s name is listed in a {@code Connection} field ({@code Connection: X-Foo} makes
     * {@code X-Foo} hop-by-hop, RFC 9110 section 7.6.1).
     */
    public boolean namedByConnection(int field, AsciiString connection) {
        int nameStart = nameStart(field);
        int nameLength = nameEnd(field) - nameStart;
        for (int i = 0; i < size; i++) {
            if (!nameIs(i, connection)) {
                continue;
            }
            int at = valueStart(i);
            int end = valueEnd(i);
            while (at < end) {
                int elementEnd = elementEnd(at, end);
                int s = trimStart(at, elementEnd);
                int e = trimEnd(s, elementEnd);
                if (e - s == nameLength && regionEqualsIgnoreCase(s, nameStart, nameLength)) {
                    return true;
                }
                at = elementEnd + 1;
            }
        }
        return false;
    }

    private boolean regionEqualsIgnoreCase(int a, int b, int length) {
        for (int k = 0; k < length; k++) {
            byte x = bytes[a + k];
            byte y = bytes[b + k];
            if (x != y && ((x | 0x20) != (y | 0x20) || (x | 0x20) < 'a' || (x | 0x20) > 'z')) {
                return false;
            }
        }
        return true;
    }

    /** Whether field {@code i}'s name is {@code name}, ignoring case. */
    public boolean nameIs(int i, String name) {
        int start = nameStart(i);
        int length = nameEnd(i) - start;
        if (length != name.length()) {
            return false;
        }
        for (int k = 0; k < length; k++) {
            int a = bytes[start + k] & 0xff;
            int c = name.charAt(k);
            if (a != c && Character.toLowerCase(a) != Character.toLowerCase(c)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public @Nullable String get(String name) {
        for (int i = 0; i < size; i++) {
            if (nameIs(i, name)) {
                return value(i);
            }
        }
        return null;
    }

    @Override
    public List<String> getAll(String name) {
        List<String> values = new ArrayList<>(2);
        for (int i = 0; i < size; i++) {
            if (nameIs(i, name)) {
                values.add(value(i));
            }
        }
        return values;
    }

    /** A Netty header map with the same fields, for code off the hot path. Built on every call. */
    public HttpHeaders toHttpHeaders() {
        HttpHeaders headers = DefaultHttpHeadersFactory.headersFactory().withValidation(false).newHeaders();
        for (int i = 0; i < size; i++) {
            headers.add(name(i), value(i));
        }
        return headers;
    }
}
