package io.liftline.service;

import io.liftline.service.edge.RefusedBody;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.pathmap.MatchedResource;
import org.eclipse.jetty.http.pathmap.PathMappings;
import org.eclipse.jetty.http.pathmap.UriTemplatePathSpec;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/**
 * A public API's routes as URI templates ({@code /skiers/{skierID}/vertical}), matched by Jetty's {@link PathMappings}
 * once per request at the front of the edge ({@link #front}), and its one way to refuse a path that is no route (404)
 * or a method the API does not take (405).
 *
 * @param <R> what a route is to its service (an enum constant)
 */
public final class Routes<R> {

    private static final String MATCH = Routes.class.getName() + ".match";

    /** A request's route, and the values of its template's variables by name. */
    public record Match<R>(R route, Map<String, String> values) {}

    private final PathMappings<R> mappings = new PathMappings<>();
    private final List<String> templates = new ArrayList<>();
    private final Function<R, String> tag;
    private final Set<String> methods;
    private final String use;

    /**
     * @param tag a route's name in the request metric ({@code route="single"})
     * @param methods the methods every route takes, the first the one a 405 asks for ({@code POST}; {@code GET, HEAD})
     */
    public Routes(Function<R, String> tag, String... methods) {
        this.tag = tag;
        this.methods = Set.of(methods);
        this.use = methods[0];
    }

    /** Adds a route; its variables ({@code {name}}) each match one non-empty path segment. */
    public Routes<R> add(String template, R route) {
        mappings.put(new UriTemplatePathSpec(template), route);
        templates.add(template);
        return this;
    }

    /** The route of {@code path} and its values, or null when it is no route. */
    public Match<R> match(String path) {
        MatchedResource<R> matched = mappings.getMatched(path);
        if (matched == null) {
            return null;
        }
        UriTemplatePathSpec spec = (UriTemplatePathSpec) matched.getPathSpec();
        return new Match<>(matched.getResource(), spec.getPathParams(path));
    }

    /**
     * The first link of the edge: matches the request's route (for every later link, {@link #matched}) and records
     * every answer in the request metric by route and status, the edge's refusals (401, 429, 413...) included.
     */
    public Handler front(ServiceMetrics metrics, Handler next) {
        return new Handler.Wrapper(next) {
            @Override
            public boolean handle(Request request, Response response, Callback callback) throws Exception {
                long start = System.nanoTime();
                Match<R> match = match(Request.getPathInContext(request));
                request.setAttribute(MATCH, match);
                String route = match == null ? "unknown" : tag.apply(match.route());
                return super.handle(
                        request,
                        response,
                        Callback.from(
                                callback,
                                () -> metrics.request(route, response.getStatus(), System.nanoTime() - start)));
            }
        };
    }

    /** The route {@link #front} matched for this request, or null when its path is no route. */
    @SuppressWarnings("unchecked")
    public static <R> Match<R> matched(Request request) {
        return (Match<R>) request.getAttribute(MATCH);
    }

    /** Whether the request is one of {@code route}'s, with a method the routes take (so it may carry a body). */
    public boolean takes(Request request, R route) {
        Match<R> match = matched(request);
        return match != null && match.route() == route && methods.contains(request.getMethod());
    }

    /**
     * Answers a request that no route takes, and says whether it did: 404 naming every route when its path matched
     * none ({@code match} null), 405 with {@code Allow} when its method is not one the routes take. A refusal reads
     * the body first ({@link RefusedBody}).
     */
    public boolean refused(Match<R> match, Request request, Response response, Callback callback) {
        if (match == null) {
            RefusedBody.answer(request, response, callback, 404, notFoundMessage(Request.getPathInContext(request)));
            return true;
        }
        if (!methods.contains(request.getMethod())) {
            response.getHeaders()
                    .put(
                            HttpHeader.ALLOW,
                            String.join(", ", methods.stream().sorted().toList()));
            RefusedBody.answer(request, response, callback, 405, "method not allowed: use " + use);
            return true;
        }
        return false;
    }

    /** The 404's message: the path, and every route that there is. */
    public String notFoundMessage(String path) {
        return "no such resource: " + path + " (" + use + " " + String.join(", ", templates) + ")";
    }
}
