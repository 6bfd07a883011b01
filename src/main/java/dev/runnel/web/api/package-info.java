/**
 * Runnel's own HTTP API: {@code GET /events} ({@code EventsServlet}), {@code POST /publish},
 * {@code POST /tickets} and {@code GET /stats}. The endpoints see the running instance only through
 * {@link dev.runnel.web.api.Server}, and depend on {@code web.auth}, {@code web.limits},
 * {@code web.http}, {@code hub} and {@code stream}; never on the composition root or the demos.
 */
package dev.runnel.web.api;
