package dev.runnel.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MarkovChatModelTest {
    private final MarkovChain chain = MarkovChain.fromResource("/dev/runnel/chat/corpus.txt");

    @Test
    void tokensJoinBackIntoExactlyTheText() {
        String text = "A runnel, unsurprisingly, is a small stream.\n\nIt keeps its order!";
        List<String> tokens = MarkovChatModel.tokenize(text);
        assertEquals(text, String.join("", tokens));
        assertTrue(tokens.contains(" unsu"), "long words are cut into pieces: " + tokens);
        assertTrue(tokens.contains(","), "punctuation is a token of its own: " + tokens);
        assertTrue(tokens.contains("\n\n"), "a paragraph break is a token of its own: " + tokens);
    }

    @Test
    void chainWritesWholeSentencesOfAtLeastTheAskedLength() {
        Random random = new Random(7);
        for (int i = 0; i < 50; i++) {
            String answer = chain.write("Tell me about the heron", 40, random);
            assertTrue(answer.split("\\s+").length >= 40, answer);
            assertTrue(Character.isUpperCase(answer.charAt(0)), answer);
            assertTrue(MarkovChain.endsSentence(answer), answer);
            assertEquals(answer, String.join("", MarkovChatModel.tokenize(answer)));
        }
    }

    @Test
    void chainStartsFromAWordOfThePromptWhenTheTextKnowsIt() {
        String answer = chain.write("What does the lighthouse say?", 10, new Random(1));
        assertTrue(answer.toLowerCase(java.util.Locale.ROOT).startsWith("lighthouse"), answer);
    }
}
