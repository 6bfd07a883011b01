/**
 * The OpenAI chat API on Runnel: {@code POST /v1/chat/completions} (streamed as OpenAI chunks, a view
 * of the answer's log, or whole), its resume {@code GET /v1/chat/completions/<id>/stream}, and
 * {@code GET /v1/models}. Answers are the chat gateway's ({@code dev.runnel.chat}), the same as on
 * {@code POST /chat}; errors are OpenAI-shaped.
 */
package dev.runnel.web.openai;
