/**
 * HTTP plumbing shared by every endpoint: the servlet base {@link dev.runnel.web.http.ApiServlet}
 * (JSON answers, JSON errors, 405 and {@code OPTIONS}, {@code Accept} for event streams), the
 * status-carrying {@link dev.runnel.web.http.HttpError} that any web room throws to answer an error,
 * who a request comes from ({@link dev.runnel.web.http.ClientAddress}, behind trusted proxies too),
 * strict request bodies ({@code JsonBody}, {@code FormBody}), the filters that run before any
 * endpoint ({@code CorsFilter}, {@code RequestGuardFilter}) and the application's error page
 * ({@code ErrorServlet}). It depends on the servlet API and Gson only, never on another room of Runnel.
 */
package dev.runnel.web.http;
