package dev.runnel.web.openai;

import com.google.gson.JsonObject;
import dev.runnel.chat.ChatRefused;
import dev.runnel.chat.Failure;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Errors as OpenAI clients read them: the status, {@code Retry-After} when there is one, and
 * {@code {"error": {"message","type","code","param"}}}.
 *
 * <p>Threading: stateless.
 */
final class OpenAiErrors {
    private OpenAiErrors() {}

    static HttpError invalid(String param, String message) {
        return new HttpError(400, "invalid_request_error", message).withHeader("X-Runnel-Param", param);
    }

    static String code(ChatRefused.Kind kind) {
        return switch (kind) {
            case TOO_MANY -> "rate_limit_exceeded";
            case UNAUTHORIZED -> "invalid_api_key";
            case TOO_LARGE -> "context_length_exceeded";
            case NOT_FOUND -> "not_found";
            case UNAVAILABLE -> "service_unavailable";
            default -> "invalid_request_error";
        };
    }

    /** A Runnel error (a bad request, a limit, a credential) in OpenAI's shape. */
    static void send(HttpServletResponse resp, HttpError e) throws IOException {
        e.headers().forEach((name, value) -> {
            if (!name.equals("X-Runnel-Param")) {
                resp.setHeader(name, value);
            }
        });
        String type = e.status() == 429 ? "rate_limit_error" : e.status() == 401 ? "authentication_error"
                : e.status() == 403 ? "permission_error" : e.status() >= 500 ? "server_error" : "invalid_request_error";
        JsonObject error = OpenAiJson.error(e.detail(), type, e.error());
        String param = e.headers().get("X-Runnel-Param");
        if (param != null) {
            error.addProperty("param", param);
        }
        write(resp, e.status(), error);
    }

    /** An answer that failed before its first token. */
    static void send(HttpServletResponse resp, Failure f) throws IOException {
        if (f.retryAfter() >= 0) {
            resp.setHeader("Retry-After", Long.toString(Math.max(1, f.retryAfter())));
        }
        write(resp, OpenAiJson.status(f), OpenAiJson.error(f));
    }

    private static void write(HttpServletResponse resp, int status, JsonObject error) throws IOException {
        JsonObject body = new JsonObject();
        body.add("error", error);
        byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
        resp.setStatus(status);
        resp.setContentType("application/json;charset=UTF-8");
        resp.setHeader("Cache-Control", "no-store");
        resp.setContentLength(bytes.length);
        resp.getOutputStream().write(bytes);
    }
}
