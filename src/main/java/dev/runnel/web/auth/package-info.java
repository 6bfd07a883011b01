/**
 * Credentials and what they grant: {@link dev.runnel.web.auth.Access} reads a request's credential
 * (the publish secret, a bearer token, the cookie, a one-time ticket) and decides who may publish and
 * who may subscribe to private topics; {@code TokenVerifier} checks signed JWTs with nimbus-jose-jwt,
 * with the keys of {@code TokenKeys} (settings and JWK Sets); {@code Grants} is what a credential allows; {@code TicketStore} holds the
 * one-time tickets. It depends on {@code hub} (topic names) and {@code web.http} (the
 * {@code HttpError} it throws for 401, 403, 429 and 503), nothing else of Runnel.
 */
package dev.runnel.web.auth;
