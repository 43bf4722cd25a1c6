-- wrk script: every request is a 1 MiB POST (wrk sets Content-Length from the body).
wrk.method = "POST"
wrk.path = "/upload"
wrk.body = string.rep("x", 1048576)
wrk.headers["Content-Type"] = "application/octet-stream"
