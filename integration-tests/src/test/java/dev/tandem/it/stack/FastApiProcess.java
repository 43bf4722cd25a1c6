package dev.tandem.it.stack;

import java.nio.file.Path;
import java.util.Map;

/** uvicorn + FastAPI, through {@code deploy/bin/serve-fastapi HOST PORT}. */
final class FastApiProcess extends AppProcess {

    FastApiProcess(Deploy deploy, int port, Map<String, String> env, Path log) {
        super(Backend.FASTAPI, deploy, "serve-fastapi", port, env, log);
    }
}
