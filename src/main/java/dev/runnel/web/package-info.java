/**
 * The composition root: {@link dev.runnel.web.RunnelListener} builds one {@link dev.runnel.web.Runnel}
 * from {@link dev.runnel.web.Settings} (read into {@code RunnelConfig} and {@code SecurityConfig}),
 * owns its threads and lifecycle, starts the bundled feeds ({@code Feeds}) and registers every
 * servlet and filter. It is the one room that knows all the others ({@code web.api}, {@code web.demo},
 * {@code web.auth}, {@code web.limits}, {@code web.http}, and {@code hub}, {@code stream},
 * {@code feed}); none of them knows it.
 */
package dev.runnel.web;
