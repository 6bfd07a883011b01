/**
 * The endpoints of the bundled demos: {@code /tasks}, {@code /chat}, {@code /notifications},
 * {@code /demo/poem} (each a thin {@code FeedServlet} over its feed) and {@code /demo/token}. They
 * depend on {@code feed}, {@code web.http} and {@code web.auth} (the private {@code users/} prefix);
 * never on {@code web.api} or the composition root, which registers them.
 */
package dev.runnel.web.demo;
