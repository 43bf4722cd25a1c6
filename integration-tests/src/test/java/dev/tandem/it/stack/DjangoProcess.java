package dev.tandem.it.stack;

import java.nio.file.Path;
import java.util.Map;

/** gunicorn + Django, through {@code deploy/bin/serve-django HOST PORT}. */
final class DjangoProcess extends AppProcess {

    DjangoProcess(Deploy deploy, int port, Map<String, String> env, Path log) {
        super(Backend.DJANGO, deploy, "serve-django", port, env, log);
    }
}
