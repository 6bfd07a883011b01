/**
 * Admission limits that keep one client from taking the server: {@code StreamLimits} (open streams in
 * all and per address) and {@code RateLimiter} (a token bucket per key: publishing credentials, demo
 * client addresses, the demos' event budget), both with
 * bounded memory. It depends only on {@code web.http}, for the {@code HttpError} a refused stream gets.
 */
package dev.runnel.web.limits;
