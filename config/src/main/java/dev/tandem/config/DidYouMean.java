package dev.tandem.config;

import java.util.Collection;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Suggests the known name a misspelt one was probably meant to be. */
final class DidYouMean {

    private static final int MAX_EDITS = 2;

    private DidYouMean() {
    }

    /**
     * The candidate closest to {@code input}, or null when none is within two edits. Case, {@code -} and {@code _}
     * are ignored, so {@code maxConnections} suggests {@code max-connections}; a swap of two neighbours is one edit.
     */
    static @Nullable String closest(String input, Collection<String> candidates) {
        String wanted = normalize(input);
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : candidates) {
            int distance = distance(wanted, normalize(candidate));
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        // An edit budget as large as the word itself would suggest anything for one- and two-letter typos.
        boolean close = bestDistance <= MAX_EDITS && bestDistance < wanted.length();
        return close ? best : null;
    }

    /** {@code did you mean "x"?} for the closest candidate, or an empty string when none is close. */
    static String hint(String input, Collection<String> candidates) {
        String suggestion = closest(input, candidates);
        return suggestion == null ? "" : "did you mean \"" + suggestion + "\"?";
    }

    private static String normalize(String s) {
        return s.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
    }

    /** Optimal string alignment distance: Levenshtein plus transposition of adjacent characters. */
    static int distance(String a, String b) {
        int[][] d = new int[a.length() + 1][b.length() + 1];
        for (int i = 0; i <= a.length(); i++) {
            d[i][0] = i;
        }
        for (int j = 0; j <= b.length(); j++) {
            d[0][j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                int best = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
                if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
                    best = Math.min(best, d[i - 2][j - 2] + 1);
                }
                d[i][j] = best;
            }
        }
        return d[a.length()][b.length()];
    }
}
