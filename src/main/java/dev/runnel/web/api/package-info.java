/**
 * Runnel's own HTTP API: {@code GET /events} ({@code EventsServlet}, which opens its streams through
 * {@code EventStreams}, as every view of the log does), {@code POST /publish}, {@code POST /tickets},
 * {@code GET /stats} and the chat answers, {@code POST /chat} and {@code GET}/{@code DELETE /chat/<id>}
 * ({@code ChatServlet}: a product endpoint, the gateway to an upstream model, not only a demo). The
 * endpoints see the running instance only through {@link dev.runnel.web.api.Server}, and depend on
 * {@code web.auth}, {@code web.limits}, {@code web.http}, {@code hub}, {@code stream} and {@code chat};
 * never on the composition root or the demos.
 */
package dev.runnel.web.api;
