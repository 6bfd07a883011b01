package dev.runnel.web;

import static dev.runnel.testing.FakeUpstream.script;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.runnel.testing.FakeUpstream;
import dev.runnel.testing.TestServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * LangChain4j's OpenAI models, unchanged, pointed at Runnel's {@code /v1}: a real third-party client
 * reads Runnel's chunks and completions as it reads OpenAI's (Runnel in front of the fake upstream).
 */
class LangChain4jClientTest {
    private static final String SECRET = "publish-secret-for-langchain4j-0123456789";
    private FakeUpstream fake;
    private TestServer server;

    @BeforeEach
    void start() throws Exception {
        fake = FakeUpstream.start();
        server = TestServer.start("runnel.chat.upstream.url", fake.url().toString(), "runnel.chat.upstream.model",
                "fake-model", "runnel.publish.secret", SECRET);
    }

    @AfterEach
    void stop() throws Exception {
        server.close();
        fake.close();
    }

    private String baseUrl() {
        return server.uri("/v1").toString();
    }

    @Test
    void theStreamingModelReceivesEveryPieceTheUsageAndTheEnd() throws Exception {
        fake.then(script().pace(Duration.ofMillis(10)).content("Streams", " keep", " their", " order", ".")
                .usage(6, 5).done());
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(baseUrl()).apiKey(SECRET)
                .modelName("fake-model").timeout(Duration.ofSeconds(20)).build();
        List<String> pieces = new CopyOnWriteArrayList<>();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("How do streams keep their order?", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String partial) {
                pieces.add(partial);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(30, TimeUnit.SECONDS);
        assertEquals(List.of("Streams", " keep", " their", " order", "."), pieces);
        assertEquals("Streams keep their order.", response.aiMessage().text());
        assertEquals(6, response.tokenUsage().inputTokenCount());
        assertEquals(5, response.tokenUsage().outputTokenCount());
        assertTrue(response.metadata().id().startsWith("chatcmpl-"), response.metadata().id());
        assertEquals(1, fake.calls().size());
    }

    @Test
    void theNonStreamingModelGetsOneCompletion() {
        fake.then(script().content("Forty", "-two").usage(4, 2).done());
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(baseUrl()).apiKey(SECRET).modelName("fake-model")
                .timeout(Duration.ofSeconds(20)).build();
        ChatResponse response = model.chat(dev.langchain4j.data.message.UserMessage.from("The answer?"));
        assertEquals("Forty-two", response.aiMessage().text());
        assertEquals(6, response.tokenUsage().totalTokenCount());
        assertEquals(dev.langchain4j.model.output.FinishReason.STOP, response.finishReason());
    }
}
