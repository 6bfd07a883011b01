/**
 * The endpoints of the bundled demos: {@code /tasks}, {@code /notifications}, {@code /demo/poem}
 * (each a thin {@code FeedServlet} over its feed) and {@code /demo/token}, all behind
 * {@code runnel.demos.enabled} ({@code DemoOffServlet} stands in for them when off, and for
 * {@code /chat} when no upstream makes it the product's; {@code DemosServlet} tells the pages);
 * {@code DemoGate} holds anonymous use to its limits, the offline chat's included. They depend on
 * {@code feed}, {@code web.http}, {@code web.limits} and {@code web.auth} (the private {@code users/}
 * prefix, the publisher credential a user's topic needs); never on {@code web.api} or the
 * composition root, which registers them.
 */
package dev.runnel.web.demo;
