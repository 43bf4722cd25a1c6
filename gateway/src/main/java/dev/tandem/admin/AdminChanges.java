package dev.tandem.admin;

import io.netty.handler.codec.http.HttpMethod;

/** Runtime changes through the admin API (route weights). Called on the admin event loop, already authorised. */
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
    Result handle(HttpMethod method, String path, String body, String who);
}
