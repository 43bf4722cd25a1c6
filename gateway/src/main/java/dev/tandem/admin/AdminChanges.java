package dev.tandem.admin;

import io.netty.handler.codec.http.HttpMethod;
import java.util.concurrent.CompletableFuture;

/**
 * Runtime changes through the admin API (route weights), already authorised. Implementations apply changes one at a
 * time off the event loops (they persist them) and complete the future when the change is in force.
 */
public interface AdminChanges {

    /**
     * The answer to a change request.
     *
     * @param status the HTTP status
     * @param json   the JSON body
     */
    record Result(int status, String json) {
    }

    /**
     * Applies a change, or explains why not.
     *
     * @param who the caller, for the audit log
     */
    CompletableFuture<Result> handle(HttpMethod method, String path, String body, String who);

    /** The recent changes, newest first, as JSON. */
    String auditJson();
}
