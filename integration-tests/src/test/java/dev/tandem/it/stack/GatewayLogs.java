package dev.tandem.it.stack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Reads a gateway's log files: the JSON access log on stdout, leak reports anywhere. */
final class GatewayLogs {

    private static final ObjectMapper JSON = new ObjectMapper();

    private GatewayLogs() {
    }

    static List<JsonNode> accessLog(Path stdout) {
        List<JsonNode> entries = new ArrayList<>();
        for (String line : lines(stdout)) {
            String trimmed = line.trim();
            if (!trimmed.startsWith("{")) {
                continue;
            }
            try {
                JsonNode node = JSON.readTree(trimmed);
                if (node.has("request_id")) {
                    entries.add(node);
                }
            } catch (IOException e) {
                // a partly written last line, or a non-access JSON log line
            }
        }
        return entries;
    }

    static List<String> leakReports(List<Path> logs) {
        List<String> leaks = new ArrayList<>();
        for (Path log : logs) {
            for (String line : lines(log)) {
                if (line.contains("LEAK:")) {
                    leaks.add(log.getFileName() + ": " + line);
                }
            }
        }
        return leaks;
    }

    static String tail(List<Path> logs, int lines) {
        StringBuilder out = new StringBuilder();
        for (Path log : logs) {
            List<String> all = lines(log);
            out.append("--- ").append(log).append('\n');
            all.subList(Math.max(0, all.size() - lines), all.size()).forEach(l -> out.append(l).append('\n'));
        }
        return out.toString();
    }

    private static List<String> lines(Path file) {
        try {
            if (!Files.exists(file)) {
                return List.of();
            }
            return new String(Files.readAllBytes(file), StandardCharsets.UTF_8).lines().toList();
        } catch (IOException e) {
            return List.of();
        }
    }
}
