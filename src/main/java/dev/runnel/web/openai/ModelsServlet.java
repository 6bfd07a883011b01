package dev.runnel.web.openai;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import dev.runnel.web.http.ApiServlet;
import dev.runnel.web.http.HttpError;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;

/**
 * {@code GET /v1/models}: the one model answers are written by (the upstream's, or
 * {@code runnel-markov}), as OpenAI lists models; {@code GET /v1/models/<name>} the model itself.
 * Public: the name is no secret, and the chat page shows it.
 *
 * <p>Threading: container threads; immutable.
 */
public final class ModelsServlet extends ApiServlet {
    private static final long serialVersionUID = 1L;
    private final String model;

    public ModelsServlet(String model) {
        super("GET");
        this.model = model;
    }

    @Override
    protected void handle(String method, HttpServletRequest req, HttpServletResponse resp) throws IOException {
        String info = req.getPathInfo();
        if (info == null || info.equals("/")) {
            JsonArray data = new JsonArray();
            data.add(model());
            JsonObject list = new JsonObject();
            list.addProperty("object", "list");
            list.add("data", data);
            sendJson(resp, 200, list);
        } else if (info.substring(1).equals(model)) {
            sendJson(resp, 200, model());
        } else {
            OpenAiErrors.send(resp, new HttpError(404, "model_not_found", "the model \"" + info.substring(1)
                    + "\" does not exist here (expected: " + model + ")"));
        }
    }

    private JsonObject model() {
        JsonObject m = new JsonObject();
        m.addProperty("id", model);
        m.addProperty("object", "model");
        m.addProperty("created", 0);
        m.addProperty("owned_by", "runnel");
        return m;
    }
}
