package dev.tandem.config;

import java.util.List;

/**
 * A configuration that cannot be used, with every problem found in it rather than only the first. The message starts
 * with a count and then lists the problems one per line, each as {@link ConfigProblem#toString()} renders it.
 */
public final class ConfigValidationException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final List<ConfigProblem> problems;

    /**
     * @param problems what is wrong, in the order to report it; at least one
     */
    public ConfigValidationException(List<ConfigProblem> problems) {
        super(format(problems));
        if (problems.isEmpty()) {
            throw new IllegalArgumentException("problems: [] (expected: at least one problem)");
        }
        this.problems = List.copyOf(problems);
    }

    /** Every problem found, in report order. */
    public List<ConfigProblem> problems() {
        return problems;
    }

    private static String format(List<ConfigProblem> problems) {
        StringBuilder message = new StringBuilder("invalid configuration, ")
                .append(problems.size())
                .append(problems.size() == 1 ? " problem:" : " problems:");
        for (ConfigProblem problem : problems) {
            message.append('\n').append(problem);
        }
        return message.toString();
    }
}
