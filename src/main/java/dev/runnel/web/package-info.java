/**
 * The composition root: {@link dev.runnel.web.RunnelListener} builds one {@link dev.runnel.web.Runnel}
 * from {@link dev.runnel.web.Settings} (read and checked into {@code RunnelConfig}, {@code SecurityConfig}
 * and {@code DemoConfig} before any thread starts),
 * owns its threads and lifecycle, starts the bundled feeds ({@code Feeds}) and registers every
 * servlet and filter. It is the one room that knows all the others ({@code web.api}, {@code web.demo},
 * {@code web.auth}, {@code web.limits}, {@code web.http}, and {@code hub}, {@code stream},
 * {@code feed}); none of them knows it.
 */
package dev.runnel.web;
