package dev.tandem.config;

/**
 * Request limits and the statuses that enforce them.
 *
 * @param maxInitialLineLength request lines longer than this answer 414
 * @param maxHeaderSize        request heads larger than this answer 431
 * @param maxRequestBodySize   request bodies larger than this answer 413
 */
public record LimitsConfig(int maxInitialLineLength, int maxHeaderSize, long maxRequestBodySize) {

    public LimitsConfig {
        Checks.positive("maxInitialLineLength", maxInitialLineLength);
        Checks.positive("maxHeaderSize", maxHeaderSize);
        Checks.positive("maxRequestBodySize", maxRequestBodySize);
    }
}
