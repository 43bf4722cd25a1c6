package dev.tandem.it.stack;

import java.nio.file.Path;

/** What both stack providers hold the same way: the database kind, the log folder and the deploy scripts. */
abstract class StackBase implements HybridStack {
    protected final Database database;
    protected final Path logDir;
    protected final Deploy deploy;

    StackBase(Database database, Path repoRoot, Path logDir) {
        this.database = database;
        this.logDir = logDir;
        this.deploy = new Deploy(repoRoot, logDir);
    }

    @Override
    public Database database() {
        return database;
    }

    @Override
    public Path logDir() {
        return logDir;
    }

    @Override
    public String adminPassword() {
        return Deploy.ADMIN_PASSWORD;
    }
}
