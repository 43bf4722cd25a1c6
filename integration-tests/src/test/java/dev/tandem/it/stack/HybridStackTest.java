package dev.tandem.it.stack;

import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class that runs against a {@link HybridStack}, injected as a parameter. The PostgreSQL stack is
 * started once per test JVM and shared; the SQLite stack lives for one class. The parts a class needs are
 * started before it, outside its test timeouts (a first run builds the Python virtualenv).
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@Inherited
@ExtendWith(StackExtension.class)
public @interface HybridStackTest {

    HybridStack.Database database() default HybridStack.Database.POSTGRES;

    Needs needs() default Needs.EVERYTHING;

    /** What to start before the class runs. */
    enum Needs {
        /** Nothing: e.g. a class that only tears down. */
        NOTHING,
        /** The database server and the Python virtualenv. */
        DATABASE,
        /** The database, both apps and the gateways. */
        EVERYTHING
    }
}
