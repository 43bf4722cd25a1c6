package dev.tandem.it.stack;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;

/**
 * Provides the {@link HybridStack} of a {@link HybridStackTest} class. The PostgreSQL stack is kept in the
 * root store, so one stack serves every class of the run and is torn down (closed as an
 * {@link AutoCloseable}) when the run ends; the SQLite stack is kept in the class's store. After each class
 * the gateways' logs are checked for {@code LEAK:}; when a test fails, the tails of the stack's logs are
 * printed with it.
 */
final class StackExtension implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(StackExtension.class);

    @Override
    public void beforeAll(ExtensionContext context) {
        HybridStackTest settings = settings(context);
        HybridStack stack = stack(context);
        stack.warmUp(settings.needs());
    }

    @Override
    public void afterAll(ExtensionContext context) {
        HybridStack stack = stack(context);
        List<String> leaks = stack.leakReports();
        if (!leaks.isEmpty()) {
            throw new AssertionError("The gateway reported leaked buffers (LEAK:) during "
                    + context.getDisplayName() + ":\n" + String.join("\n", leaks));
        }
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == HybridStack.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return stack(context);
    }

    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
        HybridStack stack = stack(context);
        StringBuilder out = new StringBuilder("\n==== ").append(context.getDisplayName())
                .append(" failed; logs of the ").append(stack.provider()).append(" stack in ")
                .append(stack.logDir()).append(" ====\n");
        try (Stream<Path> logs = Files.list(stack.logDir())) {
            for (Path log : logs.filter(Files::isRegularFile).sorted().toList()) {
                List<String> lines = new String(Files.readAllBytes(log), StandardCharsets.UTF_8).lines().toList();
                out.append("---- ").append(log.getFileName()).append(" (last 40 of ").append(lines.size()).append(" lines)\n");
                lines.subList(Math.max(0, lines.size() - 40), lines.size()).forEach(l -> out.append(l).append('\n'));
            }
        } catch (IOException e) {
            out.append("(cannot list logs: ").append(e).append(")\n");
        }
        System.out.println(out);
        context.publishReportEntry("stack-logs", stack.logDir().toString());
    }

    private static HybridStackTest settings(ExtensionContext context) {
        return context.getTestClass()
                .flatMap(c -> AnnotationSupport.findAnnotation(c, HybridStackTest.class))
                .orElseThrow(() -> new IllegalStateException("not a @HybridStackTest class: " + context.getDisplayName()));
    }

    private static HybridStack stack(ExtensionContext context) {
        HybridStack.Database database = settings(context).database();
        if (database == HybridStack.Database.POSTGRES) {
            return context.getRoot().getStore(NAMESPACE)
                    .computeIfAbsent(database, Stacks::create, HybridStack.class);
        }
        ExtensionContext classContext = context;
        while (classContext.getParent().isPresent() && classContext.getParent().get().getTestClass().isPresent()) {
            classContext = classContext.getParent().get();
        }
        return classContext.getStore(NAMESPACE).computeIfAbsent(database, Stacks::create, HybridStack.class);
    }
}
