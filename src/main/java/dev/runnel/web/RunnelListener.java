package dev.runnel.web;

import dev.runnel.web.api.EventsServlet;
import dev.runnel.web.api.PublishServlet;
import dev.runnel.web.api.StatsServlet;
import dev.runnel.web.api.TicketsServlet;
import dev.runnel.web.http.CorsFilter;
import dev.runnel.web.http.ErrorServlet;
import dev.runnel.web.http.RequestGuardFilter;
import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterRegistration;
import jakarta.servlet.ServletContext;
import jakarta.servlet.ServletContextEvent;
import jakarta.servlet.ServletContextListener;
import jakarta.servlet.ServletRegistration;
import jakarta.servlet.http.HttpServlet;
import java.lang.System.Logger.Level;
import java.util.EnumSet;

/**
 * Builds Runnel when the web application starts (settings, hub, dispatcher, scheduler, servlets,
 * the CORS and request-guard filters, the bundled {@link Feeds}) and takes it all down when it stops:
 * every feed stops, every stream is finished and every thread started here ends, so a redeploy leaves
 * nothing behind. Declared in {@code WEB-INF/web.xml}; embedded servers add it too.
 *
 * <p>Threading: called by the container, once each.
 */
public final class RunnelListener implements ServletContextListener {
    private static final System.Logger LOG = System.getLogger(RunnelListener.class.getName());

    @Override
    public void contextInitialized(ServletContextEvent sce) {
        ServletContext context = sce.getServletContext();
        Runnel runnel = new Runnel(Settings.of(context::getInitParameter));
        RunnelConfig config = runnel.config();
        context.setAttribute(Runnel.ATTRIBUTE, runnel);
        add(context, "events", new EventsServlet(runnel), "/events");
        add(context, "publish", new PublishServlet(runnel), "/publish");
        add(context, "stats", new StatsServlet(runnel), "/stats");
        add(context, "error", new ErrorServlet(), "/error");
        add(context, "tickets", new TicketsServlet(runnel), "/tickets");
        // CORS first, so that even the guard's refusals are readable by an allowed page.
        filter(context, "cors", new CorsFilter(runnel.security().corsOrigins()));
        filter(context, "request-guard", new RequestGuardFilter(runnel.security().maxHeaderBytes()));
        Feeds feeds;
        try {
            feeds = Feeds.start(runnel);
        } catch (RuntimeException e) {
            runnel.close();
            throw e;
        }
        feeds.register(context);
        context.setAttribute(Feeds.ATTRIBUTE, feeds);
        LOG.log(Level.INFO, "Runnel started: epoch " + runnel.hub().epoch() + ", log " + config.logSize()
                + " events, " + config.dispatchThreads() + " dispatch threads");
    }

    @Override
    public void contextDestroyed(ServletContextEvent sce) {
        if (sce.getServletContext().getAttribute(Feeds.ATTRIBUTE) instanceof Feeds feeds) {
            feeds.close();
            sce.getServletContext().removeAttribute(Feeds.ATTRIBUTE);
        }
        Object runnel = sce.getServletContext().getAttribute(Runnel.ATTRIBUTE);
        if (runnel instanceof Runnel r) {
            r.close();
            sce.getServletContext().removeAttribute(Runnel.ATTRIBUTE);
            LOG.log(Level.INFO, "Runnel stopped");
        }
    }

    private static void filter(ServletContext context, String name, Filter filter) {
        FilterRegistration.Dynamic registration = context.addFilter(name, filter);
        registration.setAsyncSupported(true); // /events goes async behind it
        registration.addMappingForUrlPatterns(EnumSet.of(DispatcherType.REQUEST), true, "/*");
    }

    static void add(ServletContext context, String name, HttpServlet servlet, String... paths) {
        ServletRegistration.Dynamic registration = context.addServlet(name, servlet);
        registration.setAsyncSupported(true);
        registration.addMapping(paths);
    }
}
