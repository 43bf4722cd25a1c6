package dev.tandem.traffic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import dev.tandem.config.MirrorConfig.CompareConfig;
import dev.tandem.http1.HeaderLookup;
import java.math.BigDecimal;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Compares two responses to the same request: status, selected headers and body. JSON bodies are compared as trees
 * (key order ignored), other bodies by SHA-256. Built-in normalisers absorb the usual harmless drift between
 * Django/DRF and FastAPI/Pydantic output, each switchable in {@link CompareConfig}:
 * <ul>
 *   <li>decimal as string vs number: {@code "12.50"} equals {@code 12.5}</li>
 *   <li>{@code Z} vs {@code +00:00} in timestamps</li>
 *   <li>a null field equals a missing one</li>
 *   <li>301, 302, 307 and 308 count as one redirect (trailing-slash redirects)</li>
 *   <li>400 and 422 count as one validation error, whose envelopes differ by design and are not compared</li>
 * </ul>
 * Stateless and thread-safe.
 */
public final class ResponseComparator {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern UTC_OFFSET = Pattern.compile("^\\d{4}-\\d{2}-\\d{2}T[0-9:.]+(\\+00:00|Z)$");
    private static final Pattern DECIMAL = Pattern.compile("^-?\\d+(\\.\\d+)?$");
    private static final Set<Integer> REDIRECTS = Set.of(301, 302, 307, 308);
    private static final Set<Integer> VALIDATION = Set.of(400, 422);
    private static final int MAX_DIFFERENCES = 20;
    private static final int MAX_SHOWN = 120;

    /** A captured response. Headers are the compared ones, lower-case names. */
    public record Captured(int status, Map<String, String> headers, byte[] body, boolean truncated) {
    }

    /** One difference: where, and both sides, shortened for display. */
    public record Difference(String path, String primary, String shadow) {
        @Override
        public String toString() {
            return path + ": " + primary + " != " + shadow;
        }
    }

    private final CompareConfig config;
    private final Set<String> ignoredKeys;

    public ResponseComparator(CompareConfig config) {
        this.config = config;
        this.ignoredKeys = Set.copyOf(config.ignoreFields());
    }

    /** The compared fields of a response head, by lower-case name; a single field (the default) needs no map. */
    static Map<String, String> comparedFields(List<String> names, HeaderLookup fields) {
        if (names.size() == 1) {
            String value = fields.get(names.get(0));
            return value == null ? Map.of() : Map.of(names.get(0), value);
        }
        Map<String, String> found = new HashMap<>();
        for (String name : names) {
            String value = fields.get(name);
            if (value != null) {
                found.put(name, value);
            }
        }
        return Map.copyOf(found);
    }

    /** Same status, same compared headers, same body bytes: {@link #compare} would find no difference. */
    public static boolean identical(Captured primary, Captured shadow) {
        return primary.status() == shadow.status() && primary.truncated() == shadow.truncated()
                && primary.headers().equals(shadow.headers())
                && java.util.Arrays.equals(primary.body(), shadow.body());
    }

    /** Every difference between the two responses, at most {@value #MAX_DIFFERENCES}; empty when they match. */
    public List<Difference> compare(Captured primary, Captured shadow) {
        List<Difference> differences = new ArrayList<>();
        if (!sameStatus(primary.status(), shadow.status())) {
            differences.add(new Difference("status", Integer.toString(primary.status()),
                    Integer.toString(shadow.status())));
            return differences;
        }
        for (String header : config.headers()) {
            String a = primary.headers().get(header);
            String b = shadow.headers().get(header);
            if (!sameHeader(header, a, b)) {
                differences.add(new Difference("header " + header, String.valueOf(a), String.valueOf(b)));
            }
        }
        if (VALIDATION.contains(primary.status()) && config.validationStatus()
                && primary.status() != shadow.status()) {
            return differences; // both are validation errors; their envelopes differ by design
        }
        if (primary.truncated() || shadow.truncated()) {
            if (!hash(primary.body()).equals(hash(shadow.body()))) {
                differences.add(new Difference("body", "sha256 " + hash(primary.body()).substring(0, 12) + "...",
                        "sha256 " + hash(shadow.body()).substring(0, 12) + "..."));
            }
            return differences;
        }
        JsonNode a = parse(primary.body());
        JsonNode b = parse(shadow.body());
        if (a == null || b == null) {
            if (!hash(primary.body()).equals(hash(shadow.body()))) {
                differences.add(new Difference("body", shown(primary.body()), shown(shadow.body())));
            }
            return differences;
        }
        diff("$", a, b, differences);
        return differences;
    }

    private boolean sameStatus(int a, int b) {
        if (a == b) {
            return true;
        }
        if (config.redirectCodes() && REDIRECTS.contains(a) && REDIRECTS.contains(b)) {
            return true;
        }
        return config.validationStatus() && VALIDATION.contains(a) && VALIDATION.contains(b);
    }

    private static boolean sameHeader(String name, @Nullable String a, @Nullable String b) {
        if (a == null || b == null) {
            return a == null && b == null;
        }
        if (name.equals("content-type")) {
            // "application/json" and "application/json; charset=utf-8" are the same media type.
            return mediaType(a).equals(mediaType(b));
        }
        return a.equals(b);
    }

    private static String mediaType(String contentType) {
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase();
    }

    private void diff(String path, @Nullable JsonNode a, @Nullable JsonNode b, List<Difference> out) {
        if (out.size() >= MAX_DIFFERENCES) {
            return;
        }
        boolean aMissing = a == null || a.isMissingNode();
        boolean bMissing = b == null || b.isMissingNode();
        if (config.nullEqualsMissing() && (aMissing || a.isNull()) && (bMissing || b.isNull())) {
            return;
        }
        if (aMissing || bMissing) {
            out.add(new Difference(path, aMissing ? "(missing)" : shown(a), bMissing ? "(missing)" : shown(b)));
            return;
        }
        if (a.isObject() && b.isObject()) {
            Set<String> keys = new TreeSet<>();
            a.fieldNames().forEachRemaining(keys::add);
            b.fieldNames().forEachRemaining(keys::add);
            for (String key : keys) {
                String child = path + "." + key;
                if (ignoredKeys.contains(key) || ignoredKeys.contains(child.substring(2))) {
                    continue;
                }
                diff(child, a.get(key), b.get(key), out);
            }
            return;
        }
        if (a.isArray() && b.isArray()) {
            if (a.size() != b.size()) {
                out.add(new Difference(path + ".length", Integer.toString(a.size()), Integer.toString(b.size())));
            }
            Iterator<JsonNode> left = a.elements();
            Iterator<JsonNode> right = b.elements();
            for (int i = 0; left.hasNext() && right.hasNext(); i++) {
                diff(path + "." + i, left.next(), right.next(), out);
            }
            return;
        }
        if (!sameScalar(a, b)) {
            out.add(new Difference(path, shown(a), shown(b)));
        }
    }

    private boolean sameScalar(JsonNode a, JsonNode b) {
        if (a.equals(b)) {
            return true;
        }
        if (config.decimalAsString()) {
            BigDecimal x = decimal(a);
            BigDecimal y = decimal(b);
            if (x != null && y != null && (a.getNodeType() != b.getNodeType())) {
                return x.compareTo(y) == 0;
            }
        }
        if (config.timestampZone() && a.isTextual() && b.isTextual()) {
            return utc(a.asText()).equals(utc(b.asText()));
        }
        return false;
    }

    private static @Nullable BigDecimal decimal(JsonNode node) {
        if (node.isNumber()) {
            return node.decimalValue();
        }
        if (node.getNodeType() == JsonNodeType.STRING && DECIMAL.matcher(node.asText()).matches()) {
            return new BigDecimal(node.asText());
        }
        return null;
    }

    private static String utc(String text) {
        return UTC_OFFSET.matcher(text).matches() && text.endsWith("+00:00")
                ? text.substring(0, text.length() - 6) + "Z" : text;
    }

    private static @Nullable JsonNode parse(byte[] body) {
        if (body.length == 0) {
            return null;
        }
        byte first = body[0];
        if (first != '{' && first != '[') {
            return null;
        }
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            return null;
        }
    }

    private static String shown(JsonNode node) {
        String text = node.toString();
        return text.length() > MAX_SHOWN ? text.substring(0, MAX_SHOWN) + "..." : text;
    }

    private static String shown(byte[] body) {
        String text = new String(body, 0, Math.min(body.length, MAX_SHOWN), java.nio.charset.StandardCharsets.UTF_8);
        return body.length > MAX_SHOWN ? text + "..." : text;
    }

    static String hash(byte[] body) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
